"""Pages run the same number of queries whatever the caseload (and never more than the key-page budget)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.accounts.models import Role
from iptriad.audit.chain import append_event
from iptriad.audit.models import AuditAction
from tests.conftest import logged_in, make_client

pytestmark = pytest.mark.django_db

KEY_PAGE_BUDGET = 10  # docs/targets: at most 10 queries for a key page


def _queries(http, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _add_clients(personas, count: int) -> None:
    for number in range(count):
        therapist = personas.therapist_a if number % 2 else personas.therapist_a2
        make_client(personas.org_a, f"Q-{number:03d}", therapist, family_name=f"Bulkson{number}")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("page", ["home", "client-list"])
def test_it_runs_the_same_queries_for_1_and_50_clients(personas, role, page):
    if page == "client-list" and role == Role.FACILITATOR:
        pytest.skip("facilitators have no client list")
    http = logged_in(personas.member_of_a(role))
    url = reverse(page)
    http.get(url)  # warm the session
    with_one = _queries(http, url)
    _add_clients(personas, 49)
    with_fifty = _queries(http, url)
    assert with_one == with_fifty
    assert with_fifty <= KEY_PAGE_BUDGET


def test_the_client_record_runs_a_fixed_number_of_queries(personas):
    http = logged_in(personas.therapist_a)
    url = reverse("client-detail", args=[personas.client_a.pk])
    http.get(url)
    assert _queries(http, url) <= KEY_PAGE_BUDGET


def test_a_group_members_record_stays_within_the_budget_and_the_rare_client_in_both_pays_one_more(personas):
    """A client in a group (and never in a course) reads no courses; a client in neither reads neither. A client who
    has both an IPT course and a group membership pays one query over the budget: each section reads its own rows."""
    from tests.courses.factories import make_course
    from tests.groups.factories import group_records

    member = group_records(personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a)
    http = logged_in(personas.supervisor_a)
    url = reverse("client-detail", args=[member.member.client_id])
    http.get(url)
    in_a_group = _queries(http, url)
    assert in_a_group <= KEY_PAGE_BUDGET
    make_course(member.member.client, personas.therapist_a)
    assert _queries(http, url) == in_a_group + 1
    neither = make_client(personas.org_a, "Q-NONE", personas.therapist_a)
    assert _queries(http, reverse("client-detail", args=[neither.pk])) == in_a_group - 1


def test_the_audit_trail_runs_the_same_queries_for_1_and_50_events(personas):
    http = logged_in(personas.admin_a)
    url = reverse("audit-list")
    http.get(url)
    with_few = _queries(http, url)
    for _ in range(50):  # through the chain: events cannot be bulk-inserted around it
        append_event(organisation=personas.org_a, actor=personas.therapist_a, action=AuditAction.CLIENT_VIEWED)
    assert _queries(http, url) == with_few


def test_the_refusal_limit_adds_no_query_for_a_signed_in_member_even_from_a_limited_address(personas, settings):
    """The limit reads a count the process holds; a member is never limited (iptriad.accounts.refusal_limit)."""
    import datetime as dt

    import time_machine
    from django.test import Client as HttpClient

    address = "198.51.100.7"
    http = logged_in(personas.therapist_a)
    url = reverse("home")
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC), tick=False):
        settings.REFUSAL_LIMIT_PER_MINUTE = 0
        http.get(url, REMOTE_ADDR=address)  # warm the session
        without_limit = _queries(http, url)
        settings.REFUSAL_LIMIT_PER_MINUTE = 30
        with_limit = _queries(http, url)
        for _ in range(31):  # the address is now over the limit for anyone not signed in
            HttpClient().get("/api/v1/clients", headers={"Authorization": "Bearer bogus"}, REMOTE_ADDR=address)
        assert HttpClient().get(reverse("client-list"), REMOTE_ADDR=address).status_code == 429
        with CaptureQueriesContext(connection) as captured:
            assert http.get(url, REMOTE_ADDR=address).status_code == 200
    assert with_limit == without_limit == len(captured.captured_queries)
