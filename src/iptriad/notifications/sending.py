"""Sending a message from the outbox, and the sweep that makes sure every message is sent or resolved.

The send is idempotent and safe to run twice at once: a worker claims the row (QUEUED and due -> SENDING) in
one UPDATE, so only one worker calls the transport; a message found in any other state is left alone. A worker
killed while sending leaves the row SENDING: the sweep resolves it after the claim timeout, re-queueing a
staff member's message (a second alert e-mail beats a lost one) and marking a client's INTERRUPTED (never twice).
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from iptriad.audit.models import AuditAction
from iptriad.notifications.models import Message, MessageState
from iptriad.notifications.quiet_hours import quiet_hours_end_after
from iptriad.notifications.records import message_audit
from iptriad.notifications.settings import notification_settings_for
from iptriad.notifications.transports import TransportError, transport_send
from iptriad.notifications.wakeup import wake

logger = logging.getLogger(__name__)

REASON_INTERRUPTED = "The worker stopped while sending; not resent, so never sent twice"
REASON_REQUEUED = "The worker stopped while sending; sent again"
# The sweep re-enqueues a due message only when its own wake-up is this late: a fresh one is still in the queue.
SWEEP_GRACE = dt.timedelta(seconds=60)
SWEEP_BATCH = 500


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # not due, not queued, or another worker has it
    DEFERRED = "deferred"  # quiet hours: waits for their end


def retry_delay(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8, 16... minutes after the first, second, third... failed attempt."""
    return dt.timedelta(minutes=2 ** max(attempts - 1, 0))


def message_deliver(*, message_id: int) -> Outcome:
    """Send one message if it is queued and due; the send task runs this."""
    now = timezone.now()
    message = Message.objects.select_related("organisation").filter(pk=message_id).first()
    if message is None or message.state != MessageState.QUEUED or message.next_attempt_at > now:
        return Outcome.SKIPPED
    if message.to_a_client:
        # Re-checked here: a retry, or a message queued long ago, may now fall in the quiet hours.
        quiet_end = quiet_hours_end_after(notification_settings_for(message.organisation), now)
        if quiet_end > now:
            deferred = Message.objects.filter(pk=message.pk, state=MessageState.QUEUED).update(
                next_attempt_at=quiet_end, updated_at=now
            )
            if deferred:
                wake(message.pk, quiet_end)
            return Outcome.DEFERRED
    with transaction.atomic():
        claimed = Message.objects.filter(pk=message.pk, state=MessageState.QUEUED, next_attempt_at__lte=now).update(
            state=MessageState.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now
        )
        if not claimed:
            return Outcome.SKIPPED
        message.refresh_from_db()
        message_audit(message, AuditAction.MESSAGE_SENDING)
    try:
        provider_id = transport_send(message)
    except TransportError as error:
        return _after_failure(message, error)
    except Exception as error:  # a bug or an unexpected library error: retried like any failure, and logged
        logger.exception("Sending message %s failed unexpectedly", message.pk)
        return _after_failure(message, TransportError(f"Unexpected error ({type(error).__name__})"))
    finished = timezone.now()
    with transaction.atomic():
        marked = Message.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
            state=MessageState.SENT,
            sent_at=finished,
            provider_id=provider_id[:100],
            reason="",
            subject="",
            body="",
            updated_at=finished,
        )
        if marked:
            message.refresh_from_db()
            message_audit(message, AuditAction.MESSAGE_SENT)
    return Outcome.SENT


def _after_failure(message: Message, error: TransportError) -> Outcome:
    now = timezone.now()
    give_up = error.permanent or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS
    with transaction.atomic():
        still_ours = Message.objects.filter(pk=message.pk, state=MessageState.SENDING)
        if give_up:
            changed = still_ours.update(
                state=MessageState.FAILED, failed_at=now, reason=error.reason, subject="", body="", updated_at=now
            )
        else:
            next_at = now + retry_delay(message.attempts)
            changed = still_ours.update(
                state=MessageState.QUEUED, next_attempt_at=next_at, reason=error.reason, updated_at=now
            )
        if not changed:
            return Outcome.SKIPPED
        message.refresh_from_db()
        message_audit(message, AuditAction.MESSAGE_FAILED if give_up else AuditAction.MESSAGE_RETRY)
    if give_up:
        return Outcome.FAILED
    transaction.on_commit(lambda: wake(message.pk, message.next_attempt_at))
    return Outcome.RETRY


@dataclass(frozen=True)
class SweepResult:
    woken: int
    interrupted: int
    requeued: int


def message_sweep(*, grace: dt.timedelta = SWEEP_GRACE) -> SweepResult:
    """Every minute: wake messages that are due but whose wake-up was lost, and resolve dead workers' claims.

    A worker starting up sweeps with no grace: a wake-up lost with the worker before it is sent at once.
    """
    now = timezone.now()
    stale_before = now - dt.timedelta(seconds=settings.NOTIFY_CLAIM_TIMEOUT_SECONDS)
    interrupted = requeued = 0
    stale = list(
        Message.objects.filter(state=MessageState.SENDING, claimed_at__lt=stale_before).values_list(
            "pk", "to_client_id"
        )[:SWEEP_BATCH]
    )
    for pk, to_client_id in stale:
        if to_client_id is not None:
            interrupted += _resolve_stale(pk, stale_before, client=True)
        else:
            requeued += _resolve_stale(pk, stale_before, client=False)
    due = list(
        Message.objects.filter(state=MessageState.QUEUED, next_attempt_at__lte=now - grace)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in due:
        wake(pk)
    if stale or due:
        logger.info("Sweep: %s due woken, %s interrupted, %s re-queued", len(due), interrupted, requeued)
    return SweepResult(woken=len(due), interrupted=interrupted, requeued=requeued)


def _resolve_stale(pk: int, stale_before: dt.datetime, *, client: bool) -> int:
    now = timezone.now()
    with transaction.atomic():
        rows = Message.objects.filter(pk=pk, state=MessageState.SENDING, claimed_at__lt=stale_before)
        if client:
            changed = rows.update(
                state=MessageState.INTERRUPTED,
                failed_at=now,
                reason=REASON_INTERRUPTED,
                subject="",
                body="",
                updated_at=now,
            )
        else:
            changed = rows.update(
                state=MessageState.QUEUED, next_attempt_at=now, reason=REASON_REQUEUED, updated_at=now
            )
        if not changed:
            return 0
        message = Message.objects.select_related("organisation").get(pk=pk)
        message_audit(message, AuditAction.MESSAGE_INTERRUPTED if client else AuditAction.MESSAGE_RETRY)
    if not client:
        transaction.on_commit(lambda: wake(pk))
    return 1
