"""Reminders of a scheduled link: after the set days, up to the set count, never in quiet hours, and stopped (queued
ones cancelled with the reason) by the answer, a withdrawal, the link's expiry, an opt-out, archiving or the end of
the course."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db.models import QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.clients.models import Client
from iptriad.clients.services import client_archive
from iptriad.core.protocol import Phase
from iptriad.courses.models import Course
from iptriad.measures.models import SelfReportLink
from iptriad.measures.services import self_report_link_revoke, self_report_receive
from iptriad.notifications.links import (
    KIND_REMINDER,
    REASON_ANSWERED,
    REASON_ARCHIVED,
    REASON_CONTEXT_CLOSED,
    REASON_EXPIRED,
    REASON_OPTED_OUT,
    REASON_WITHDRAWN,
    scheduled_links_run,
)
from iptriad.notifications.models import Message, MessageState, NotificationSettings, ScheduledLink
from iptriad.notifications.optout import VIA_LINK, messages_stop
from tests.conftest import Personas
from tests.notifications.links_helpers import consenting_client, course_planned, utc

pytestmark = pytest.mark.django_db

SESSION = utc(2026, 12, 11, 14, 0)
SENT = utc(2026, 12, 8, 15, 0)  # within the 3 days' lead: the links go now
PHQ9_NONE = [0] * 9


def _sent(personas: Personas, **fields: Any) -> tuple[Client, Course]:
    client = consenting_client(personas, **fields)
    course = course_planned(client, personas, SESSION)
    with time_machine.travel(SENT, tick=False):
        scheduled_links_run()
    return client, course


def _reminders(client: Client) -> QuerySet[Message]:
    return Message.objects.filter(to_client=client, kind=KIND_REMINDER)


def _therapist(personas: Personas) -> Actor:
    return Actor(user=personas.therapist_a, organisation=personas.org_a, role=Role.THERAPIST)


def test_a_reminder_goes_after_the_set_days_and_no_more_than_the_set_count(personas) -> None:
    client, _ = _sent(personas)
    with time_machine.travel(SENT + dt.timedelta(days=1, hours=23), tick=False):
        assert scheduled_links_run().reminders_queued == 0
    with time_machine.travel(SENT + dt.timedelta(days=2), tick=False):
        assert scheduled_links_run().reminders_queued == 2  # one per link (PHQ-9, GAD-7)
        assert scheduled_links_run().reminders_queued == 0
    with time_machine.travel(SENT + dt.timedelta(days=4, minutes=15), tick=False):
        assert scheduled_links_run().reminders_queued == 0  # the default count is 1
    assert _reminders(client).count() == 2
    assert set(ScheduledLink.objects.values_list("reminders_sent", flat=True)) == {1}
    body = _reminders(client).earliest("pk").body
    assert "reminder" in body.lower()
    row = ScheduledLink.objects.get(link=_reminders(client).earliest("pk").link)
    assert f"/r/{row.link_token}/" in body  # the same link as the first message


def test_a_second_reminder_follows_when_the_organisation_asks_for_two(personas) -> None:
    NotificationSettings.objects.create(organisation=personas.org_a, reminder_count=2, reminder_after_days=1)
    client, _ = _sent(personas)
    for day in (1, 2, 3, 4):
        with time_machine.travel(SENT + dt.timedelta(days=day, minutes=1), tick=False):
            scheduled_links_run()
    assert _reminders(client).count() == 4  # two links, two reminders each
    assert set(Message.objects.filter(kind=KIND_REMINDER).values_list("dedupe_key", flat=True)) == {
        f"link_reminder:{row.pk}:{n}" for row in ScheduledLink.objects.all() for n in (1, 2)
    }


def test_a_reminder_due_in_quiet_hours_waits_for_their_end(personas) -> None:
    client, _ = _sent(personas)
    late = utc(2026, 12, 10, 22, 30)  # 22:30 in London: quiet from 21:00 to 08:00
    with time_machine.travel(late, tick=False):
        assert scheduled_links_run().reminders_queued == 2
    for reminder in _reminders(client):
        assert reminder.state == MessageState.QUEUED
        assert reminder.next_attempt_at == utc(2026, 12, 11, 8, 0)


def test_the_answer_cancels_the_queued_reminder_of_its_link_and_wipes_the_kept_token(personas) -> None:
    client, _ = _sent(personas)
    with time_machine.travel(utc(2026, 12, 10, 22, 30), tick=False):
        scheduled_links_run()
        reminder = _reminders(client).get(link__instrument_code="phq9")
        row = ScheduledLink.objects.get(link=reminder.link)
        self_report_receive(token=row.link_token, answers=PHQ9_NONE, ip_address=None)
    reminder.refresh_from_db()
    row.refresh_from_db()
    assert reminder.state == MessageState.CANCELLED
    assert reminder.reason == REASON_ANSWERED
    assert row.link_token == ""
    assert row.stop_token == ""
    assert row.wiped_at is not None
    other = _reminders(client).get(link__instrument_code="gad7")
    assert other.state == MessageState.QUEUED


def test_a_withdrawn_link_gets_no_reminder_and_its_queued_one_is_cancelled(personas) -> None:
    client, _ = _sent(personas)
    with time_machine.travel(utc(2026, 12, 10, 22, 30), tick=False):
        scheduled_links_run()
        reminder = _reminders(client).get(link__instrument_code="gad7")
        assert reminder.link_id is not None
        self_report_link_revoke(actor=_therapist(personas), link=SelfReportLink.objects.get(pk=reminder.link_id))
    reminder.refresh_from_db()
    assert (reminder.state, reminder.reason) == (MessageState.CANCELLED, REASON_WITHDRAWN)


def test_an_opt_out_cancels_every_queued_message_and_no_reminder_follows(personas) -> None:
    client, _ = _sent(personas)
    with time_machine.travel(SENT + dt.timedelta(hours=1), tick=False):
        messages_stop(client=client, via=VIA_LINK, ip_address=None)
    assert set(Message.objects.filter(to_client=client).values_list("state", "reason")) == {
        (MessageState.CANCELLED, REASON_OPTED_OUT)
    }
    with time_machine.travel(SENT + dt.timedelta(days=3), tick=False):
        assert scheduled_links_run().reminders_queued == 0
    assert not ScheduledLink.objects.exclude(link_token="").exists()


def test_archiving_the_client_cancels_the_queued_messages(personas) -> None:
    client, _ = _sent(personas)
    admin = Actor(user=personas.admin_a, organisation=personas.org_a, role=Role.ADMIN)
    with time_machine.travel(SENT + dt.timedelta(hours=1), tick=False):
        client_archive(actor=admin, client=client)
    reasons = set(Message.objects.filter(to_client=client).values_list("state", "reason"))
    assert {state for state, _ in reasons} == {MessageState.CANCELLED}
    assert {reason for _, reason in reasons} <= {REASON_ARCHIVED}


def test_the_end_of_the_course_stops_the_reminders_at_the_next_run(personas) -> None:
    client, course = _sent(personas)
    with time_machine.travel(utc(2026, 12, 10, 22, 30), tick=False):
        scheduled_links_run()
    Course.objects.filter(pk=course.pk).update(
        phase=Phase.CLOSED, closed_on=dt.date(2026, 12, 10), end_reason="dropped_out"
    )
    with time_machine.travel(utc(2026, 12, 10, 22, 45), tick=False):
        run = scheduled_links_run()
    assert run.cancelled == 4  # the links' first messages (still queued here: nothing sends them) and reminders
    assert set(Message.objects.filter(to_client=client).values_list("state", "reason")) == {
        (MessageState.CANCELLED, REASON_CONTEXT_CLOSED)
    }


def test_an_expired_link_gets_no_reminder_and_its_token_is_wiped(personas) -> None:
    NotificationSettings.objects.create(organisation=personas.org_a, link_valid_days=2, reminder_after_days=3)
    client, _ = _sent(personas)
    with time_machine.travel(SENT + dt.timedelta(days=3, minutes=1), tick=False):
        run = scheduled_links_run()
    assert run.reminders_queued == 0
    assert run.wiped == 2
    assert not _reminders(client).exists()
    assert REASON_EXPIRED  # the reason a queued message of an expired link is cancelled with
