"""Refused anonymous requests are rate-limited: past the limit an address gets 429 at once (issue 16, item 2).

The flood still costs the audit trail at most two events a minute (test_refusal_flood.py); here it stops costing
the server a token lookup and a refusal per request, while the summary still counts every request it sent.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.audit.refusals import refusals_summarise
from tests.api.conftest import api_as
from tests.conftest import logged_in
from tests.measures.test_pages import new_link

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 10, 0, 0, tzinfo=dt.UTC)
BOGUS = {"Authorization": "Bearer not-a-real-token-0123456789abcdef"}
FLOOD = "198.51.100.7"
LIMIT = 30  # the default of IPTRIAD_REFUSAL_LIMIT_PER_MINUTE


@pytest.fixture(autouse=True)
def _limit_on(settings) -> None:
    settings.REFUSAL_LIMIT_PER_MINUTE = LIMIT  # off for the rest of the suite (tests/settings.py)


def _bogus(address: str = FLOOD, path: str = "/api/v1/clients"):
    return HttpClient().get(path, headers=BOGUS, REMOTE_ADDR=address)


def _flood(times: int, address: str = FLOOD) -> list[int]:
    return [_bogus(address).status_code for _ in range(times)]


def _summaries() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED_REPEATED).order_by("sequence"))


def test_past_the_limit_an_address_gets_429_with_retry_after_and_every_request_is_still_counted(personas):
    with time_machine.travel(START + dt.timedelta(seconds=15), tick=False) as clock:
        statuses = _flood(LIMIT + 20)
        limited = _bogus()
        page = HttpClient().get(reverse("client-list"), REMOTE_ADDR=FLOOD)  # the pages too, not only the API
        clock.move_to(START + dt.timedelta(minutes=2))
        refusals_summarise()
    assert statuses == [401] * LIMIT + [429] * 20
    assert limited.status_code == 429
    assert limited["Retry-After"] == "45"  # the seconds left in the minute
    assert limited.json() == {"detail": "Too many refused requests from your address. Try again in 45 seconds."}
    assert "no-store" in limited["Cache-Control"]
    assert page.status_code == 429
    assert page["Retry-After"] == "45"
    assert page.content.decode() == "Too many refused requests from your address. Try again in 45 seconds."
    assert page["Content-Security-Policy"]  # the header middlewares still wrap the answer
    # One event in full and one summary that counts every request, the 429s included.
    [first] = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED)
    assert first.detail["status"] == 401
    [summary] = _summaries()
    assert (summary.ip_address, summary.detail["count"]) == (FLOOD, LIMIT + 22)


def test_a_limited_address_costs_no_query(personas):
    with time_machine.travel(START, tick=False):
        _flood(LIMIT)
        with CaptureQueriesContext(connection) as captured:
            assert _bogus().status_code == 429
    # No token lookup, no refusal, no count written (within the second): only the audit middleware's savepoint,
    # which these tests' own transaction makes (in production it is an outer transaction with no statement).
    queries = [query["sql"] for query in captured.captured_queries]
    assert [sql for sql in queries if not sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))] == []


def test_another_address_and_signed_in_members_are_not_limited(personas):
    therapist = logged_in(personas.therapist_a)
    token_holder = api_as(personas.therapist_a, personas.org_a)
    with time_machine.travel(START, tick=False):
        _flood(LIMIT + 5)
        assert _bogus().status_code == 429
        assert _bogus(address="203.0.113.4").status_code == 401  # another address is answered as before
        assert HttpClient().get(reverse("login"), REMOTE_ADDR="203.0.113.4").status_code == 200
        # A member signed in from the flooding address (a shared office address, say) still works.
        assert therapist.get(reverse("home"), REMOTE_ADDR=FLOOD).status_code == 200
        assert therapist.get("/api/v1/clients", REMOTE_ADDR=FLOOD).status_code == 200
        # Their own refusals are bounded in the audit only: never a 429.
        foreign = reverse("client-detail", args=[personas.client_b.pk])
        assert {therapist.get(foreign, REMOTE_ADDR=FLOOD).status_code for _ in range(LIMIT + 5)} == {404}
        # A token holder elsewhere is unaffected.
        assert token_holder.get("/clients").status_code == 200


def test_the_source_gets_through_again_when_the_minute_ends(personas):
    with time_machine.travel(START + dt.timedelta(seconds=30), tick=False) as clock:
        _flood(LIMIT + 3)
        assert _bogus().status_code == 429
        clock.move_to(START + dt.timedelta(seconds=59))
        limited = _bogus()
        assert (limited.status_code, limited["Retry-After"]) == (429, "1")
        clock.move_to(START + dt.timedelta(minutes=1))
        assert _bogus().status_code == 401  # a new minute: answered (and counted) as before
        assert HttpClient().get(reverse("login"), REMOTE_ADDR=FLOOD).status_code == 200


def test_health_login_and_self_report_pages_are_never_limited(personas):
    link = new_link(personas)
    with time_machine.travel(START, tick=False):
        _flood(LIMIT + 5)
        assert _bogus().status_code == 429
        assert HttpClient().get(reverse("health"), REMOTE_ADDR=FLOOD).status_code == 200
        # Staff behind the same address (a clinic's network) can still sign in or ask for a reset.
        assert HttpClient().get(reverse("login"), REMOTE_ADDR=FLOOD).status_code == 200
        assert HttpClient().get(reverse("password-reset"), REMOTE_ADDR=FLOOD).status_code == 200
        page = HttpClient().get(link, REMOTE_ADDR=FLOOD)
        assert page.status_code == 200
        assert "Little interest or pleasure in doing things" in page.content.decode()
        answered = HttpClient().post(link, {f"item_{n}": "0" for n in range(1, 10)}, REMOTE_ADDR=FLOOD)
        assert answered.status_code in (200, 302)
        assert answered.status_code != 429


def test_the_limit_is_read_from_the_setting_and_0_turns_it_off(personas, settings):
    with time_machine.travel(START, tick=False):
        settings.REFUSAL_LIMIT_PER_MINUTE = 3
        assert _flood(5) == [401, 401, 401, 429, 429]
        settings.REFUSAL_LIMIT_PER_MINUTE = 0
        assert _flood(5) == [401] * 5


def test_an_app_server_that_has_not_seen_the_flood_learns_it_from_the_shared_count(personas):
    from iptriad.audit import refusals

    with time_machine.travel(START, tick=False) as clock:
        _flood(LIMIT - 1)
        clock.shift(dt.timedelta(seconds=2))
        _flood(1)  # a second later: this server writes its counts to the shared row
        refusals.forget_pending()  # now play another server: it has counted nothing of this address itself
        assert _bogus().status_code == 401  # its first refusal writes at once and reads the shared total back
        assert _bogus().status_code == 429
