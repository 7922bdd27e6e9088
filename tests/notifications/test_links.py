"""Self-report links sent on schedule before a planned session: once, at the right time, only with consent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.clients.models import Client
from iptriad.measures.models import SelfReportLink
from iptriad.measures.services import self_report_link_create
from iptriad.notifications.links import KIND_LINK, SKIP_NO_CONSENT, scheduled_links_run
from iptriad.notifications.models import Message, MessageState, NotificationSettings, ScheduledLink
from tests.notifications.links_helpers import consenting_client, course_planned, utc

pytestmark = pytest.mark.django_db

SESSION = utc(2026, 12, 11, 14, 0)  # a Friday, 14:00 in London (UTC in winter)
# The standard schedule's measures due at session 1 a client can answer on a link (the WSAS's wording is licensed
# separately and not installed, so it is recorded in session).
DUE = ("gad7", "phq9")


def test_nothing_is_sent_before_the_lead_time_and_each_due_measure_once_within_it(personas) -> None:
    client = consenting_client(personas)
    course_planned(client, personas, SESSION)
    with time_machine.travel(utc(2026, 12, 7, 10, 0), tick=False):  # 4 days 4 hours before: lead is 3 days
        assert scheduled_links_run().links_sent == 0
    assert not SelfReportLink.objects.filter(client=client).exists()
    with time_machine.travel(utc(2026, 12, 8, 15, 0), tick=False):
        run = scheduled_links_run()
        again = scheduled_links_run()  # the job runs every 15 minutes: a second run sends nothing more
    assert run.links_sent == len(DUE)
    assert again.links_sent == 0
    links = SelfReportLink.objects.filter(client=client).order_by("instrument_code")
    assert [link.instrument_code for link in links] == list(DUE)
    assert {link.created_by_id for link in links} == {personas.therapist_a.pk}  # the course's therapist
    assert all(link.context_id == client.treatment_contexts.get().pk for link in links)
    messages = Message.objects.filter(to_client=client, kind=KIND_LINK)
    assert messages.count() == len(DUE)
    assert {message.address for message in messages} == {"casey@example.org"}
    assert {message.state for message in messages} == {MessageState.QUEUED}
    scheduled = ScheduledLink.objects.filter(client=client)
    assert {row.session_number for row in scheduled} == {1}
    assert all(row.link_token and row.stop_token for row in scheduled)
    events = AuditEvent.objects.filter(action=AuditAction.LINK_SCHEDULED, organisation=personas.org_a)
    assert events.count() == len(DUE)
    assert all(event.actor_id is None and event.detail["created_by"] == personas.therapist_a.pk for event in events)


def test_the_message_names_the_service_and_the_link_but_not_the_client_nor_the_instrument(personas) -> None:
    client = consenting_client(personas)
    course_planned(client, personas, SESSION)
    with time_machine.travel(utc(2026, 12, 8, 15, 0), tick=False):
        scheduled_links_run()
    message = Message.objects.filter(to_client=client).earliest("pk")
    row = ScheduledLink.objects.get(link=message.link)
    assert "Alpha Clinic" in message.subject
    assert "short questionnaire before your next session" in message.subject
    assert f"/r/{row.link_token}/" in message.body
    assert f"/m/{row.stop_token}/stop/" in message.body
    # The random tokens are left out: one may spell "phq" by chance (CI saw it).
    text = (message.subject + message.body).replace(row.link_token, "").replace(row.stop_token, "").lower()
    for secret in ("robin", "sampleton", "phq", "gad", "wsas", "depress", "anxiety"):
        assert secret not in text


def test_an_sms_client_gets_an_sms_only_where_the_organisation_enabled_sms(personas) -> None:
    client = consenting_client(personas, message_channel="sms")
    course_planned(client, personas, SESSION)
    with time_machine.travel(utc(2026, 12, 8, 15, 0), tick=False):
        assert scheduled_links_run().links_sent == 0
        NotificationSettings.objects.filter(organisation=personas.org_a).update(sms_enabled=True)
        assert scheduled_links_run().links_sent == len(DUE)
    message = Message.objects.filter(to_client=client).earliest("pk")
    assert message.channel == "sms"
    assert message.address == "+44 7700 900123"
    assert message.subject == ""
    assert len(message.body) < 320


@pytest.mark.parametrize(
    ("fields", "archived"),
    [
        ({"consent_to_messages": False, "consent_to_messages_on": None}, False),
        ({"message_channel": "none", "consent_to_messages": False, "consent_to_messages_on": None}, False),
        ({"messages_opted_out_at": utc(2026, 12, 1, 9, 0)}, False),
        ({"email": ""}, False),
        ({}, True),
    ],
    ids=["no consent", "no channel", "opted out", "no address", "archived"],
)
def test_nothing_is_sent_without_consent_after_opt_out_or_for_an_archived_client(personas, fields, archived) -> None:
    client = consenting_client(personas, **fields)
    course_planned(client, personas, SESSION)
    if archived:
        Client.objects.filter(pk=client.pk).update(status="archived", archived_at=utc(2026, 12, 1, 9, 0))
    with time_machine.travel(utc(2026, 12, 8, 15, 0), tick=False):
        run = scheduled_links_run()
    assert run.links_sent == 0
    assert sum(run.skipped.values()) == len(DUE)
    assert not SelfReportLink.objects.filter(client=client).exists()
    assert not Message.objects.filter(to_client=client).exists()


def test_a_measure_whose_link_is_still_waiting_is_not_sent_again(personas) -> None:
    client = consenting_client(personas)
    course_planned(client, personas, SESSION)
    from iptriad.accounts.actors import Actor
    from iptriad.accounts.models import Role

    with time_machine.travel(utc(2026, 12, 8, 9, 0), tick=False):
        actor = Actor(user=personas.therapist_a, organisation=personas.org_a, role=Role.THERAPIST)
        self_report_link_create(actor=actor, client=client, code="phq9")
    with time_machine.travel(utc(2026, 12, 8, 15, 0), tick=False):
        run = scheduled_links_run()
    assert run.links_sent == 1
    assert sorted(ScheduledLink.objects.values_list("instrument_code", flat=True)) == ["gad7"]


def test_a_session_moved_a_day_later_sends_nothing_new(personas) -> None:
    client = consenting_client(personas)
    course = course_planned(client, personas, SESSION)
    with time_machine.travel(utc(2026, 12, 8, 15, 0), tick=False):
        scheduled_links_run()
    # The session moves a day later: the same session (its number), so nothing is sent twice.
    type(course).objects.filter(pk=course.pk).update(next_session_at=SESSION + dt.timedelta(days=1))
    with time_machine.travel(utc(2026, 12, 9, 15, 0), tick=False):
        assert scheduled_links_run().links_sent == 0
    assert ScheduledLink.objects.count() == len(DUE)


def test_no_consent_is_counted_as_the_reason(personas) -> None:
    client = consenting_client(personas, consent_to_messages=False, consent_to_messages_on=None)
    course_planned(client, personas, SESSION)
    with time_machine.travel(utc(2026, 12, 8, 15, 0), tick=False):
        run = scheduled_links_run()
    assert run.skipped == {SKIP_NO_CONSENT: len(DUE)}
