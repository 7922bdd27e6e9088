"""Sending a message from the outbox, and the sweep that makes sure every message is sent or resolved.

The send is idempotent and safe to run twice at once: a worker claims the row (QUEUED and due -> SENDING) in
one UPDATE, so only one worker calls the transport; a message found in any other state is left alone. Just
before the one step it cannot take back (SMTP's DATA, the SMS gateway's POST), the transport calls back and the
worker records `handed_over_at`, committed. A worker killed while sending leaves the row SENDING: after the claim
timeout the sweep re-queues it if it was never handed over (it cannot have arrived), and otherwise re-queues a
staff member's message (a second alert e-mail beats a lost one) and marks a client's INTERRUPTED (never twice).
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
from iptriad.notifications.transports import HandOverRefused, TransportError, transport_send
from iptriad.notifications.wakeup import wake

logger = logging.getLogger(__name__)

REASON_INTERRUPTED = "The worker stopped while sending; not resent, so never sent twice"
REASON_REQUEUED = "The worker stopped while sending; sent again"
REASON_NOT_HANDED_OVER = "The worker stopped before handing it over; sent again"
REASON_OUTCOME_UNKNOWN = "The connection broke while handing it over; not resent, so never sent twice"
# The sweep re-enqueues a due message only when its own wake-up is this late: a fresh one is still in the queue.
SWEEP_GRACE = dt.timedelta(seconds=60)
SWEEP_BATCH = 500


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # not due, not queued, or another worker has it
    DEFERRED = "deferred"  # quiet hours: waits for their end
    INTERRUPTED = "interrupted"  # a client's, handed over with no answer: may have arrived, never resent


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
            state=MessageState.SENDING,
            claimed_at=now,
            handed_over_at=None,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
        if not claimed:
            return Outcome.SKIPPED
        message.refresh_from_db()
        message_audit(message, AuditAction.MESSAGE_SENDING)
    claim = message.attempts  # names this claim: the sweep or another worker's claim changes the row

    def hand_over() -> None:
        # Committed before the irreversible step; refused if the sweep has meanwhile resolved the claim.
        at = timezone.now()
        with transaction.atomic():
            marked = Message.objects.filter(pk=message.pk, state=MessageState.SENDING, attempts=claim).update(
                handed_over_at=at, updated_at=at
            )
        if not marked:
            raise HandOverRefused
        message.handed_over_at = at

    try:
        provider_id = transport_send(message, hand_over=hand_over)
    except HandOverRefused:
        logger.warning("Message %s was resolved by the sweep before it was handed over; not sent", message.pk)
        return Outcome.SKIPPED
    except TransportError as error:
        return _after_failure(message, error)
    except Exception as error:  # a bug or an unexpected library error: retried like any failure, and logged
        logger.exception("Sending message %s failed unexpectedly", message.pk)
        unknown = message.handed_over_at is not None
        return _after_failure(
            message, TransportError(f"Unexpected error ({type(error).__name__})", outcome_unknown=unknown)
        )
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
    # Handed over, then no answer: the client may have it, so it is not sent again (a staff member's is).
    interrupted = error.outcome_unknown and message.to_a_client
    with transaction.atomic():
        still_ours = Message.objects.filter(pk=message.pk, state=MessageState.SENDING)
        if interrupted:
            changed = still_ours.update(
                state=MessageState.INTERRUPTED,
                failed_at=now,
                reason=f"{REASON_OUTCOME_UNKNOWN}: {error.reason}"[:200],
                subject="",
                body="",
                updated_at=now,
            )
        elif give_up:
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
        if interrupted:
            message_audit(message, AuditAction.MESSAGE_INTERRUPTED)
        else:
            message_audit(message, AuditAction.MESSAGE_FAILED if give_up else AuditAction.MESSAGE_RETRY)
    if interrupted:
        return Outcome.INTERRUPTED
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
            "pk", "to_client_id", "handed_over_at"
        )[:SWEEP_BATCH]
    )
    for pk, to_client_id, handed_over_at in stale:
        if to_client_id is not None and handed_over_at is not None:
            interrupted += _resolve_stale(pk, stale_before, interrupt=True)
        else:
            requeued += _resolve_stale(pk, stale_before, interrupt=False, handed_over=handed_over_at is not None)
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


def _resolve_stale(pk: int, stale_before: dt.datetime, *, interrupt: bool, handed_over: bool = True) -> int:
    """Interrupt (a client's message handed over) or re-queue one abandoned claim. The UPDATE re-checks the
    hand-over it was decided on, so a worker still alive that marks it meanwhile is never re-queued under it."""
    now = timezone.now()
    with transaction.atomic():
        rows = Message.objects.filter(
            pk=pk, state=MessageState.SENDING, claimed_at__lt=stale_before, handed_over_at__isnull=not handed_over
        )
        if interrupt:
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
                state=MessageState.QUEUED,
                next_attempt_at=now,
                reason=REASON_REQUEUED if handed_over else REASON_NOT_HANDED_OVER,
                updated_at=now,
            )
        if not changed:
            return 0
        message = Message.objects.select_related("organisation").get(pk=pk)
        message_audit(message, AuditAction.MESSAGE_INTERRUPTED if interrupt else AuditAction.MESSAGE_RETRY)
    if not interrupt:
        transaction.on_commit(lambda: wake(pk))
    return 1
