"""The outbox's interface for the apps that send messages (risk alerts, self-report links).

    message_queue(...)   write a message in the caller's transaction; a worker is woken when it commits
    message_cancel(...)  a queued message is no longer wanted

Subjects and bodies hold no clinical content and no client name (they may hold a link). See
docs/decisions/0029-task-queue-huey-and-an-outbox.md for why the database, not the queue, is the truth.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from iptriad.accounts.models import Organisation, User
from iptriad.audit.models import AuditAction
from iptriad.clients.models import Client
from iptriad.measures.models import RiskAlert, SelfReportLink
from iptriad.notifications.models import Channel, Message, MessageState
from iptriad.notifications.quiet_hours import quiet_hours_end_after
from iptriad.notifications.records import message_audit
from iptriad.notifications.settings import notification_settings_for
from iptriad.notifications.wakeup import wake_on_commit

__all__ = ["Channel", "Message", "MessageState", "message_cancel", "message_queue", "quiet_hours_end_after"]

REASON_NO_ADDRESS = "No address to send to"


def message_queue(
    *,
    organisation: Organisation,
    kind: str,
    channel: Channel | str,
    address: str,
    subject: str,
    body: str,
    dedupe_key: str,
    to_user: User | None = None,
    to_client: Client | None = None,
    alert: RiskAlert | None = None,
    link: SelfReportLink | None = None,
    not_before: dt.datetime | None = None,
) -> Message:
    """Write a message to send (inside the caller's transaction) and wake a worker when it commits.

    Idempotent: a second call with the same (organisation, dedupe_key) returns the first message unchanged. A
    client's message waits for the end of the organisation's quiet hours; one without an address is written
    as failed, so the log shows it.
    """
    existing = Message.objects.filter(organisation=organisation, dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    now = timezone.now()
    due = max(now, not_before) if not_before is not None else now
    if to_client is not None:
        due = quiet_hours_end_after(notification_settings_for(organisation), due)
    address = address.strip()
    message = Message(
        organisation=organisation,
        kind=kind,
        channel=Channel(channel),
        address=address,
        subject=subject,
        body=body,
        dedupe_key=dedupe_key,
        to_user=to_user,
        to_client=to_client,
        alert=alert,
        link=link,
        next_attempt_at=due,
        queued_at=now,
        created_at=now,
        updated_at=now,
    )
    if not address:
        message.state, message.failed_at, message.reason = MessageState.FAILED, now, REASON_NO_ADDRESS
        message.subject = message.body = ""
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin leaves the caller's transaction usable
            message.save()
    except IntegrityError:
        twin = Message.objects.filter(organisation=organisation, dedupe_key=dedupe_key).first()
        if twin is None:
            raise
        return twin
    message_audit(message, AuditAction.MESSAGE_QUEUED)
    if message.state == MessageState.FAILED:
        message_audit(message, AuditAction.MESSAGE_FAILED)
    else:
        wake_on_commit(message.pk, due)
    return message


def message_cancel(*, message: Message, reason: str) -> bool:
    """A queued message is no longer wanted (answer arrived, link withdrawn, course ended): QUEUED -> CANCELLED.

    False if it already went, is going, or was given up: a message being sent cannot be called back.
    """
    now = timezone.now()
    with transaction.atomic():
        cancelled = Message.objects.filter(pk=message.pk, state=MessageState.QUEUED).update(
            state=MessageState.CANCELLED, reason=reason[:200], subject="", body="", updated_at=now
        )
        if not cancelled:
            message.refresh_from_db()
            return False
        message.refresh_from_db()
        message_audit(message, AuditAction.MESSAGE_CANCELLED)
    return True
