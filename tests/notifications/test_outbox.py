"""The outbox: queue on commit, send once, retry with backoff, give up visibly, never twice to a client."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test.utils import override_settings

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.env import parse_sms_url
from iptriad.notifications.models import Message, MessageState
from iptriad.notifications.outbox import Channel, message_cancel
from iptriad.notifications.sending import (
    REASON_INTERRUPTED,
    Outcome,
    message_deliver,
    message_sweep,
    retry_delay,
)
from iptriad.notifications.settings import notification_settings_for
from iptriad.notifications.transports.sms import REASON_NOT_CONFIGURED
from tests.notifications.helpers import closed_port, queue_client_message, queue_staff_email

pytestmark = pytest.mark.django_db

# Noon in London in winter: outside the default quiet hours (21:00 to 08:00).
NOON = dt.datetime(2026, 1, 14, 12, 0, tzinfo=dt.UTC)


def unreachable_smtp() -> override_settings:
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=closed_port(),
        EMAIL_TIMEOUT=2,
    )


def actions_of(message: Message) -> list[str]:
    events = AuditEvent.objects.filter(object_type="message", object_id=str(message.pk)).order_by("sequence")
    return [event.action for event in events]


@time_machine.travel(NOON, tick=False)
def test_a_message_is_sent_when_the_transaction_commits(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue_staff_email(personas)
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.attempts == 1
    assert message.sent_at == NOON
    assert message.body == ""
    assert message.subject == ""
    assert message.provider_id.startswith("<iptriad-message-")
    [sent] = mail.outbox
    assert sent.to == [personas.therapist_a.email]
    assert sent.subject == "A risk alert needs your attention"
    assert sent.extra_headers["Message-ID"] == message.provider_id
    assert actions_of(message) == [AuditAction.MESSAGE_QUEUED, AuditAction.MESSAGE_SENDING, AuditAction.MESSAGE_SENT]
    detail = AuditEvent.objects.filter(action=AuditAction.MESSAGE_SENT).get().detail
    assert detail == {"kind": "alert_opened", "channel": "email", "state": "sent", "attempts": 1, "to": "staff"}


def change_that_fails(personas) -> None:
    with transaction.atomic():
        queue_staff_email(personas)
        raise RuntimeError("the change that caused the message failed")


def test_a_rolled_back_change_enqueues_nothing(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        change_that_fails(personas)
    assert callbacks == []
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_queueing_twice_with_one_key_gives_the_first_message(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue_staff_email(personas, key="alert-7-therapist")
        second = queue_staff_email(personas, key="alert-7-therapist", subject="another subject")
    assert first.pk == second.pk
    assert Message.objects.count() == 1
    assert len(mail.outbox) == 1


def test_the_body_is_encrypted_at_rest(personas):
    message = queue_staff_email(personas)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM notifications_message WHERE id = %s", [message.pk])
        [stored] = cursor.fetchone()
    assert "https://iptriad.example" not in stored
    assert Message.objects.get(pk=message.pk).body.startswith("Open iptriad")


@time_machine.travel(NOON, tick=False)
def test_a_second_run_of_the_send_task_does_nothing(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_staff_email(personas)
    assert message_deliver(message_id=message.pk) == Outcome.SKIPPED
    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_a_message_without_an_address_fails_at_once_and_is_logged(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = queue_client_message(personas, address="  ")
    assert callbacks == []
    assert message.state == MessageState.FAILED
    assert message.reason == "No address to send to"
    assert actions_of(message) == [AuditAction.MESSAGE_QUEUED, AuditAction.MESSAGE_FAILED]


@time_machine.travel(NOON, tick=False)
def test_an_sms_without_a_configured_provider_fails_with_the_reason(personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_client_message(personas, channel=Channel.SMS, address="+447700900123")
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert message.reason == REASON_NOT_CONFIGURED
    assert message.attempts == 1


@time_machine.travel(NOON, tick=False)
def test_the_file_sms_backend_writes_each_message(personas, tmp_path, django_capture_on_commit_callbacks):
    outbox = tmp_path / "sms.jsonl"
    with (
        override_settings(SMS_URL=parse_sms_url("IPTRIAD_SMS_URL", f"file://{outbox}")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = queue_client_message(personas, channel=Channel.SMS, address="+447700900123")
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    [line] = outbox.read_text().splitlines()
    written = json.loads(line)
    assert written["to"] == "+447700900123"
    assert written["body"].startswith("Please answer here")
    assert written["id"] == message.provider_id


def test_retries_back_off_then_the_message_fails_visibly(personas, django_capture_on_commit_callbacks):
    with unreachable_smtp(), time_machine.travel(NOON, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_staff_email(personas)
        waits = []
        for attempt in range(1, 6):
            message.refresh_from_db()
            assert message.state == MessageState.QUEUED
            assert message.attempts == attempt
            assert message.reason == "Could not reach the SMTP server (ConnectionRefusedError)"
            waits.append(message.next_attempt_at - dt.datetime.now(dt.UTC))
            clock.shift(waits[-1])
            with django_capture_on_commit_callbacks(execute=False):
                assert message_deliver(message_id=message.pk) in (Outcome.RETRY, Outcome.FAILED)
    assert waits == [dt.timedelta(minutes=minutes) for minutes in (1, 2, 4, 8, 16)]
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert message.attempts == 6
    assert message.body == ""
    assert actions_of(message).count(AuditAction.MESSAGE_RETRY) == 5
    assert actions_of(message)[-1] == AuditAction.MESSAGE_FAILED


def test_retry_delay_doubles():
    assert [retry_delay(n).total_seconds() / 60 for n in range(1, 7)] == [1, 2, 4, 8, 16, 32]


def test_a_retry_before_its_time_does_nothing(personas, django_capture_on_commit_callbacks):
    with unreachable_smtp(), time_machine.travel(NOON, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            message = queue_staff_email(personas)
        assert message_deliver(message_id=message.pk) == Outcome.SKIPPED
    message.refresh_from_db()
    assert message.attempts == 1


def test_cancel_stops_a_queued_message_only(personas):
    with time_machine.travel(NOON, tick=False):
        waiting = queue_client_message(personas, not_before=NOON + dt.timedelta(days=1))
        assert message_cancel(message=waiting, reason="Answer arrived") is True
        assert waiting.state == MessageState.CANCELLED
        assert waiting.reason == "Answer arrived"
        assert message_cancel(message=waiting, reason="again") is False
        assert message_deliver(message_id=waiting.pk) == Outcome.SKIPPED
    assert actions_of(waiting)[-1] == AuditAction.MESSAGE_CANCELLED
    assert mail.outbox == []


def test_a_clients_message_waits_for_the_end_of_the_quiet_hours(personas, django_capture_on_commit_callbacks):
    late_evening = dt.datetime(2026, 1, 14, 22, 30, tzinfo=dt.UTC)  # 22:30 in London
    with time_machine.travel(late_evening, tick=False), django_capture_on_commit_callbacks(execute=True):
        message = queue_client_message(personas)
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED
    assert message.next_attempt_at == dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.UTC)
    assert mail.outbox == []
    with time_machine.travel(dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.UTC), tick=False):
        assert message_deliver(message_id=message.pk) == Outcome.SENT
    assert len(mail.outbox) == 1


def test_a_retry_that_falls_in_the_quiet_hours_waits(personas):
    with time_machine.travel(NOON, tick=False):
        message = queue_client_message(personas)
    # Its retry comes round at 23:00 London time: the sender re-checks and waits for 08:00.
    Message.objects.filter(pk=message.pk).update(next_attempt_at=dt.datetime(2026, 1, 14, 23, 0, tzinfo=dt.UTC))
    with time_machine.travel(dt.datetime(2026, 1, 14, 23, 0, tzinfo=dt.UTC), tick=False):
        assert message_deliver(message_id=message.pk) == Outcome.DEFERRED
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED
    assert message.next_attempt_at == dt.datetime(2026, 1, 15, 8, 0, tzinfo=dt.UTC)
    assert message.attempts == 0


def test_staff_messages_are_not_held_by_the_quiet_hours(personas, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(dt.datetime(2026, 1, 14, 23, 0, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = queue_staff_email(personas)
    message.refresh_from_db()
    assert message.state == MessageState.SENT


def claimed_and_abandoned(message: Message, at: dt.datetime) -> None:
    """What a worker killed mid-send leaves: the row claimed, the transport's outcome unknown."""
    Message.objects.filter(pk=message.pk).update(state=MessageState.SENDING, claimed_at=at, attempts=1)


def test_the_sweep_marks_a_clients_abandoned_message_interrupted_and_never_resends(
    personas, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOON, tick=False):
        message = queue_client_message(personas)
    claimed_and_abandoned(message, NOON)
    with time_machine.travel(NOON + dt.timedelta(seconds=299), tick=False):
        assert message_sweep().interrupted == 0  # within the claim timeout: a live worker may still be sending
    with (
        time_machine.travel(NOON + dt.timedelta(minutes=6), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = message_sweep()
    assert result.interrupted == 1
    message.refresh_from_db()
    assert message.state == MessageState.INTERRUPTED
    assert message.reason == REASON_INTERRUPTED
    assert mail.outbox == []
    assert actions_of(message)[-1] == AuditAction.MESSAGE_INTERRUPTED


def test_the_sweep_sends_a_staff_members_abandoned_message_again(personas, django_capture_on_commit_callbacks):
    with time_machine.travel(NOON, tick=False):
        message = queue_staff_email(personas)
    claimed_and_abandoned(message, NOON)
    with (
        time_machine.travel(NOON + dt.timedelta(minutes=6), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert message_sweep().requeued == 1
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.attempts == 2
    assert len(mail.outbox) == 1


def test_the_sweep_wakes_a_due_message_whose_wake_up_was_lost(personas, django_capture_on_commit_callbacks):
    with time_machine.travel(NOON, tick=False):
        message = queue_staff_email(personas)  # committed without running the on-commit wake-up: lost
    with time_machine.travel(NOON + dt.timedelta(seconds=30), tick=False):
        assert message_sweep().woken == 0  # its own wake-up may still be in the queue
    with time_machine.travel(NOON + dt.timedelta(minutes=2), tick=False):
        assert message_sweep().woken == 1
    message.refresh_from_db()
    assert message.state == MessageState.SENT


def test_settings_are_created_with_the_defaults_on_first_read(personas):
    settings = notification_settings_for(personas.org_a)
    assert settings.alert_escalation_minutes == 240
    assert (settings.quiet_hours_start, settings.quiet_hours_end) == (dt.time(21), dt.time(8))
    assert (settings.link_lead_days, settings.link_valid_days) == (3, 7)
    assert (settings.reminder_after_days, settings.reminder_count, settings.sms_enabled) == (2, 1, False)
    assert notification_settings_for(personas.org_a).pk == settings.pk
