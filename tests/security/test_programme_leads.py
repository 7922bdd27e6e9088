"""A programme lead gains no record access from leading (issue 14, part 5): every page and API operation of the
permission matrix answers a lead as it answers someone who is no member there.

- A lead with no membership anywhere, leading a programme of both organisations: every page and operation of an
  organisation refuses them (403 or 404; 401 for the API), on organisation A's objects and B's alike; only their
  own account's pages, the public ones and their programme's figures answer.
- A member of organisation A who leads a programme of organisation B: every object of B stays 404, as for any
  member of A (tests/security/test_permission_matrix.py), and nothing of B's records shows anywhere.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from iptriad.accounts.models import Role, User
from tests.conftest import PASSWORD, Personas, logged_in
from tests.security.crawl import OTHER, OWN
from tests.security.matrix_rows import ROWS, accounts_security
from tests.security.matrix_rows.base import MatrixObjects
from tests.security.test_permission_matrix import _request

pytestmark = pytest.mark.django_db

# What any signed-in person reaches, member or not: their own account, the login page (which sends them on), the
# switcher (which refuses an organisation they are no member of) and the health check.
PERSONAL = {*accounts_security.ROWS, "login", "health", "organisation-switch"}
# Sent last or not at all: they end the session or its second factor, and every request after would be refused
# for that reason rather than for the one under test.
SESSION_ENDING = {"logout", "mfa-reset"}
LEAD_PAGES = {"programme-list", "programme-outcomes", "programme-outcomes-csv", "programme-outcomes-pdf"}


def _secrets(personas: Personas) -> list[bytes]:
    return [
        secret.encode()
        for client in (personas.client_a, personas.client_b)
        for secret in (client.family_name, client.identifier)
    ]


def _lead_of_both(personas: Personas, objects: MatrixObjects) -> User:
    lead = User.objects.create_user(email="lead@programme.example", password=PASSWORD, full_name="Lena Lead")
    objects.programme_a.organisations.add(personas.org_b)
    objects.programme_a.leads.add(lead)
    return lead


def test_a_lead_with_no_membership_reaches_no_record_and_no_organisation_page(personas, objects):
    lead = _lead_of_both(personas, objects)
    http = logged_in(lead)
    secrets = _secrets(personas)
    checked = 0
    for name, row in sorted(ROWS.items()):
        if name in SESSION_ENDING:
            continue
        for side in (OWN, OTHER) if row.target else (OWN,):
            response = _request(http, personas, objects, name, row, side)
            status = response.status_code
            if name in LEAD_PAGES:
                # Their programme (A's, which also holds B) answers; B's own programme, which they do not lead, not.
                assert status == (200 if side == OWN else 404), (name, side, status)
            elif name == "home":
                assert (status, response["Location"]) == (302, reverse("programme-list"))
            elif row.public:
                continue  # the same answer for everyone, signed in or not (the matrix checks it)
            elif name in PERSONAL:
                assert status in (200, 302, 404), (name, status)
            else:
                # Every page and API operation of an organisation, on A's objects and on B's.
                assert status in (403, 404), (name, side, status)
                checked += 1
            content = response.getvalue() if response.streaming else response.content
            for secret in secrets:
                assert secret not in content, (name, side, secret)
    assert checked >= 300


def test_a_member_who_leads_another_organisations_programme_gets_404_on_its_every_object(personas, objects):
    # The supervisor of A sees the most of A's records; leading B's programme adds none of B's.
    objects.programme_b.leads.add(personas.supervisor_a)
    http = logged_in(personas.supervisor_a)
    secrets = _secrets(personas)[2:]  # client B's
    for name, row in sorted(ROWS.items()):
        if name in SESSION_ENDING or name in LEAD_PAGES or row.public:
            continue
        if row.target:
            assert _request(http, personas, objects, name, row, OTHER).status_code == 404, name
        if row.method == "get":
            # Their own organisation's pages answer as before, and show nothing of B's records.
            response = _request(http, personas, objects, name, row, OWN)
            assert response.status_code == row.expected[Role.SUPERVISOR], name
            content = response.getvalue() if response.streaming else response.content
            for secret in secrets:
                assert secret not in content, (name, secret)
    # B's figures are theirs to read as the programme's lead, A's programme is not theirs.
    assert http.get(reverse("programme-outcomes", args=[objects.programme_b.slug])).status_code == 200
    assert http.get(reverse("programme-outcomes", args=[objects.programme_a.slug])).status_code == 404
