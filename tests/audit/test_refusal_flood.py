"""A flood of refused requests cannot bury or slow the audit trail (issue 16, item 2).

Before: every refused request appended its own chained event, so 1,000 requests with a bogus bearer token wrote
1,000 events. Now a source (an address, or a member in an organisation) gets its first refusal of each minute
in full and one summary with the count after the minute; a legitimate write in between still lands.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from iptriad.audit.chain import verify_chains
from iptriad.audit.models import AuditAction, AuditEvent, RefusalWindow
from iptriad.audit.refusals import refusals_summarise
from tests.api.conftest import Api, api_as
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 10, 0, 0, tzinfo=dt.UTC)
BOGUS = {"Authorization": "Bearer not-a-real-token-0123456789abcdef"}


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence", "pk"))


def test_a_thousand_refused_requests_write_a_bounded_number_of_events_that_add_up(personas, settings):
    settings.REFUSAL_LIMIT_PER_MINUTE = 30  # the default (the test settings turn it off)
    flood = HttpClient()
    legitimate = api_as(personas.therapist_a, personas.org_a)
    with time_machine.travel(START, tick=False) as clock:
        for number in range(1000):
            if number % 250 == 0:
                clock.move_to(START + dt.timedelta(minutes=number // 250))  # four minutes of flood
            if number == 500:
                created = legitimate.post(
                    "/clients",
                    {"identifier": "F-1", "given_name": "Ada", "family_name": "Flood", "date_of_birth": "1990-01-01"},
                )
                assert created.status_code == 201  # a legitimate write during the flood still lands
            response = flood.get("/api/v1/clients", headers=BOGUS, REMOTE_ADDR="198.51.100.7")
            # Past the limit (30 a minute) the address is answered 429 at once, and still counted.
            assert response.status_code == (401 if number % 250 < 30 else 429)
        clock.move_to(START + dt.timedelta(minutes=6))
        refusals_summarise()

    first = _events(AuditAction.ACCESS_DENIED)
    summaries = _events(AuditAction.ACCESS_DENIED_REPEATED)
    # One event in full and one summary per minute, instead of 1,000.
    assert len(first) == 4
    assert len(summaries) == 4
    assert sum(summary.detail["count"] for summary in summaries) == 1000
    for summary in summaries:
        # The summary says where from and how many: the address, the minute and the count.
        assert (summary.organisation, summary.actor, summary.ip_address) == (None, None, "198.51.100.7")
        assert summary.detail["count"] == 250
        assert summary.detail["window_seconds"] == 60
    assert [summary.detail["window_start"] for summary in summaries] == [
        (START + dt.timedelta(minutes=minute)).isoformat() for minute in range(4)
    ]
    assert first[0].detail == {"method": "GET", "status": 401, "path": "/api/v1/clients", "route": "api-client-list"}
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_CREATED, organisation=personas.org_a).count() == 1
    assert RefusalWindow.objects.count() == 0  # summarised windows are dropped
    assert verify_chains().ok


def test_each_address_is_counted_on_its_own(personas):
    with time_machine.travel(START, tick=False) as clock:
        for address, times in (("198.51.100.7", 30), ("2001:db8::1", 3), ("203.0.113.4", 1)):
            for _ in range(times):
                assert HttpClient().get("/api/v1/clients", headers=BOGUS, REMOTE_ADDR=address).status_code == 401
        clock.move_to(START + dt.timedelta(minutes=2))
        refusals_summarise()
    assert sorted(str(event.ip_address) for event in _events(AuditAction.ACCESS_DENIED)) == [
        "198.51.100.7",
        "2001:db8::1",
        "203.0.113.4",
    ]
    # A single refusal needs no summary: its own event says it all.
    assert sorted(
        (event.ip_address, event.detail["count"]) for event in _events(AuditAction.ACCESS_DENIED_REPEATED)
    ) == [
        ("198.51.100.7", 30),
        ("2001:db8::1", 3),
    ]


def test_a_members_refusals_are_bounded_too_and_stay_in_their_organisations_trail(personas):
    http = logged_in(personas.therapist_a)
    url = reverse("client-detail", args=[personas.client_b.pk])
    with time_machine.travel(START + dt.timedelta(seconds=10), tick=False) as clock:
        for _ in range(200):
            assert http.get(url, REMOTE_ADDR="192.0.2.5").status_code == 404
        # The next minute's first refusal (of anyone) writes the closed minute's summary on its way.
        clock.move_to(START + dt.timedelta(minutes=1, seconds=10))
        assert http.get(url, REMOTE_ADDR="192.0.2.5").status_code == 404
    first = _events(AuditAction.ACCESS_DENIED)
    [summary] = _events(AuditAction.ACCESS_DENIED_REPEATED)
    assert len(first) == 2  # the first of each minute
    assert {(event.organisation, event.actor) for event in [*first, summary]} == {
        (personas.org_a, personas.therapist_a)
    }
    assert summary.detail["count"] == 200
    assert summary.ip_address == "192.0.2.5"
    assert verify_chains().ok


def test_the_summary_is_appended_after_the_first_event_never_edited_into_it(personas):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            HttpClient().get("/api/v1/clients", headers=BOGUS, REMOTE_ADDR="198.51.100.7")
        [first] = _events(AuditAction.ACCESS_DENIED)
        hash_before = first.event_hash
        clock.move_to(START + dt.timedelta(minutes=2))
        assert refusals_summarise() == 1
        assert refusals_summarise() == 0  # a window is summarised once
    first.refresh_from_db()
    [summary] = _events(AuditAction.ACCESS_DENIED_REPEATED)
    assert first.event_hash == hash_before
    assert summary.sequence > first.sequence
    assert summary.previous_hash != ""


def test_an_open_window_is_not_summarised_early(personas):
    with time_machine.travel(START + dt.timedelta(seconds=50), tick=False) as clock:
        for _ in range(3):
            HttpClient().get("/api/v1/clients", headers=BOGUS, REMOTE_ADDR="198.51.100.7")
        clock.move_to(START + dt.timedelta(seconds=62))  # the minute is over but within the grace
        assert refusals_summarise() == 0
        clock.move_to(START + dt.timedelta(seconds=66))
        assert refusals_summarise() == 1


def test_the_audit_summarise_command_writes_closed_windows(personas, capsys):
    from django.core.management import call_command

    with time_machine.travel(START, tick=False) as clock:
        for _ in range(4):
            HttpClient().get("/api/v1/clients", headers=BOGUS, REMOTE_ADDR="198.51.100.7")
        clock.move_to(START + dt.timedelta(minutes=3))
        call_command("audit", "summarise")
    assert "1 summary of refused requests written" in capsys.readouterr().out
    [summary] = _events(AuditAction.ACCESS_DENIED_REPEATED)
    assert summary.detail["count"] == 4


def test_the_audit_page_shows_closed_windows_summarised(personas):
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(3):
            logged_in(personas.therapist_a).post(reverse("organisation-settings"), {"name": "Mine now"})
        clock.move_to(START + dt.timedelta(minutes=3))
        page = logged_in(personas.admin_a).get(reverse("audit-list"))
    assert page.status_code == 200
    assert "Access denied again" in page.content.decode()
    [summary] = _events(AuditAction.ACCESS_DENIED_REPEATED)
    assert summary.detail["count"] == 3


def test_an_api_token_of_a_member_is_counted_as_that_member(personas):
    api: Api = api_as(personas.therapist_b, personas.org_b)
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(20):
            assert api.get(f"/clients/{personas.client_a.pk}").status_code == 404
        clock.move_to(START + dt.timedelta(minutes=2))
        refusals_summarise()
    [summary] = _events(AuditAction.ACCESS_DENIED_REPEATED)
    assert (summary.organisation, summary.actor, summary.detail["count"]) == (
        personas.org_b,
        personas.therapist_b,
        20,
    )
