"""Every refused request is audited: 401, 403, and 404 to someone signed in.

The first refusal of a source in a minute is an ACCESS_DENIED event of its own; the others are counted, and one
ACCESS_DENIED_REPEATED event gives the count once the minute is over (tests/audit/test_refusal_flood.py).
"""

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from iptriad.accounts import audit_middleware
from iptriad.accounts.models import Role
from iptriad.audit.chain import verify_chains
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.audit.refusals import refusals_summarise
from tests.api.conftest import api_as
from tests.conftest import logged_in
from tests.security.matrix_rows import ROWS
from tests.security.matrix_rows.api import ApiRow
from tests.security.matrix_rows.base import Row, matrix_objects

pytestmark = pytest.mark.django_db

# The middle of a minute: a test's requests all fall in one window.
FROZEN = dt.datetime(2026, 3, 2, 10, 15, 30, tzinfo=dt.UTC)


@pytest.fixture
def one_minute() -> Iterator[None]:
    with time_machine.travel(FROZEN, tick=False):
        yield


def _refusals_counted() -> Counter[tuple[int | None, int | None]]:
    """Refusals per (organisation, member) once their minute is summarised: a summary's count, or 1."""
    with time_machine.travel(FROZEN + dt.timedelta(minutes=2), tick=False):
        refusals_summarise()
    counted: Counter[tuple[int | None, int | None]] = Counter()
    for event in AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED):
        counted[(event.organisation_id, event.actor_id)] = 1
    for event in AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED_REPEATED):
        counted[(event.organisation_id, event.actor_id)] = event.detail["count"]
    return counted


def _denied() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).order_by("pk"))


def _send(http: HttpClient, row: Row, url: str) -> Any:
    """The request the permission matrix makes for this row."""
    if isinstance(row, ApiRow) and row.method != "get":
        return getattr(http, row.method)(url, row.json, content_type="application/json")
    return http.get(url) if row.method == "get" else http.post(url, row.form)


def test_a_probe_of_another_organisations_record_is_audited(personas):
    url = reverse("client-detail", args=[personas.client_b.pk])
    response = logged_in(personas.therapist_a).get(url, {"q": "Betason"}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404
    [event] = _denied()
    assert event.organisation == personas.org_a
    assert event.actor == personas.therapist_a
    assert event.ip_address == "203.0.113.9"
    assert event.detail == {
        "method": "GET",
        "status": 404,
        "path": url,
        "route": "client-detail",
        "query_names": ["q"],
    }
    assert "Betason" not in str(event.detail)  # a query string's values are never kept


def test_every_object_url_of_another_organisation_is_audited(personas, one_minute):
    objects = matrix_objects(personas)
    http = logged_in(personas.member_of_a(Role.THERAPIST))
    targeted = {name: row for name, row in ROWS.items() if row.target and not row.public}
    for name, row in targeted.items():
        url = reverse(name, args=[objects.target(row.target, False, personas)])
        assert _send(http, row, url).status_code == 404, name
    [first] = _denied()  # the first probe in full, the rest counted
    assert (first.organisation_id, first.actor_id, first.detail["status"]) == (
        personas.org_a.pk,
        personas.therapist_a.pk,
        404,
    )
    assert _refusals_counted() == {(personas.org_a.pk, personas.therapist_a.pk): len(targeted)}
    assert verify_chains().ok


def test_every_refusal_in_the_permission_matrix_is_audited(personas, one_minute):
    objects = matrix_objects(personas)
    expected = []
    for role in Role:
        http = logged_in(personas.member_of_a(role))
        for name, row in ROWS.items():
            if row.public or row.expected[role] != 403:
                continue
            url = reverse(name, args=[objects.target(row.target, True, personas)]) if row.target else reverse(name)
            assert _send(http, row, url + row.query).status_code == 403, (name, role)
            expected.append((personas.member_of_a(role).pk, name))
    assert len(expected) > 20  # the matrix refuses many role and page pairs
    assert {event.detail["status"] for event in _denied()} == {403}
    assert _refusals_counted() == Counter((personas.org_a.pk, actor) for actor, _ in expected)


def test_a_role_refused_an_action_is_audited(personas):
    response = logged_in(personas.therapist_a).post(reverse("organisation-settings"), {"name": "Mine now"})
    assert response.status_code == 403
    [event] = _denied()
    assert (event.actor, event.organisation) == (personas.therapist_a, personas.org_a)
    assert event.detail["method"] == "POST"
    assert event.detail["status"] == 403


def test_a_failed_csrf_check_is_audited(personas):
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(personas.therapist_a)
    response = http.post(reverse("client-archive", args=[personas.client_a.pk]))
    assert response.status_code == 403
    [event] = _denied()
    assert event.actor == personas.therapist_a
    assert event.detail["status"] == 403


def test_an_api_token_probing_another_organisation_is_audited_in_its_own(personas):
    api = api_as(personas.therapist_b, personas.org_b)
    assert api.get(f"/clients/{personas.client_a.pk}").status_code == 404
    [event] = _denied()
    assert (event.actor, event.organisation) == (personas.therapist_b, personas.org_b)
    assert event.detail["path"] == f"/api/v1/clients/{personas.client_a.pk}"


def test_an_api_call_without_credentials_is_audited_without_an_organisation(personas):
    assert HttpClient().get("/api/v1/clients").status_code == 401
    [event] = _denied()
    assert (event.actor, event.organisation) == (None, None)
    assert event.detail["status"] == 401


def test_an_anonymous_not_found_is_not_audited(personas):
    assert HttpClient().get("/no-such-page/").status_code == 404
    assert _denied() == []


def test_a_self_report_token_is_never_stored(personas):
    token = "a-secret-self-report-token-0123456789"
    assert logged_in(personas.therapist_a).get(f"/r/{token}/").status_code == 404
    [event] = _denied()
    assert event.detail["path"] == "/r/[token]/"
    assert token not in str(AuditEvent.objects.values_list("detail", flat=True)[::1])


def test_a_failed_audit_write_still_answers_and_logs_no_request_data(personas, monkeypatch, caplog):
    def broken(**kwargs: object) -> None:
        raise RuntimeError(f"database gone while writing {kwargs}")

    monkeypatch.setattr(audit_middleware, "audit_record_denied", broken)
    url = reverse("client-detail", args=[personas.client_b.pk])
    with caplog.at_level(logging.ERROR, logger="iptriad.accounts.audit_middleware"):
        response = logged_in(personas.therapist_a).get(url)
    assert response.status_code == 404
    assert "Could not record a denied request in the audit trail (RuntimeError)" in caplog.text
    assert url not in caplog.text
    assert _denied() == []
