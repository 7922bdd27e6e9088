"""Self-report links sent on schedule before planned sessions, their reminders, and what stops them.

A periodic job (`scheduled_links_run`, every 15 minutes on the worker) does three things, each idempotent:

1. For every open treatment context whose next session is planned within the organisation's `link_lead_days`,
   each self-report measure due at that session gets a link (measures' service, created in the name of the
   context's responsible clinician and audited as sent on schedule) and a message to the client's channel,
   unless the client has not consented, opted out, is archived, has no address for the channel, chose SMS where
   the organisation has not enabled it, or a link for that measure and session exists already (or a link of the
   same measure is still waiting to be answered).
2. A link not answered after `reminder_after_days` gets a reminder, up to `reminder_count` of them.
3. Whatever can no longer be wanted is stopped: a queued message is cancelled with the reason when its link is
   answered, withdrawn or expired, the client opted out or was archived, or the course ended; and the kept token
   is wiped as soon as no reminder can follow.

Quiet hours are the outbox's: a client's message waits for their end (iptriad.notifications.outbox).

What a message says (docs/decisions/0031): the service's name, "a short questionnaire before your next session",
the link, and how to stop; never the instrument's name (a depression or a postnatal questionnaire named in an SMS
on a shared phone tells its reader why the client is in treatment), never the client's name, no clinical content.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from iptriad.accounts.models import Organisation, User
from iptriad.accounts.tokens import token_hash
from iptriad.clients.models import Client, MessageChannel
from iptriad.measures import contexts
from iptriad.measures.due import due_in_contexts
from iptriad.measures.models import SelfReportLink, TreatmentContext
from iptriad.measures.services import self_report_answerable, self_report_link_create_scheduled
from iptriad.notifications.models import Channel, Message, MessageState, NotificationSettings, ScheduledLink
from iptriad.notifications.outbox import message_cancel, message_queue
from iptriad.notifications.settings import notification_settings_for

KIND_LINK = "link_sent"
KIND_REMINDER = "link_reminder"
LINK_KINDS = (KIND_LINK, KIND_REMINDER)

LEAD_DAYS_DEFAULT: int = NotificationSettings._meta.get_field("link_lead_days").default

# Why a queued message was cancelled (Message.reason; no content).
REASON_ANSWERED = "The questionnaire was answered"
REASON_WITHDRAWN = "The link was withdrawn"
REASON_EXPIRED = "The link expired"
REASON_OPTED_OUT = "The client opted out of messages"
REASON_ARCHIVED = "The client's record was archived"
REASON_CONTEXT_CLOSED = "The course ended"
REASON_NO_CONSENT = "The client's consent to messages was withdrawn"

# Why a due measure got no link (the job's counts; nothing is written for them).
SKIP_NO_CONSENT = "no consent"
SKIP_OPTED_OUT = "opted out"
SKIP_ARCHIVED = "archived"
SKIP_NO_ADDRESS = "no address for the channel"
SKIP_SMS_OFF = "SMS not enabled"
SKIP_WAITING = "a link of this measure is waiting"

STOP_TOKEN_BYTES = 12  # 96 bits: a short link for an SMS, still far beyond guessing


@dataclass
class ScheduleRun:
    """What one run of the job did, for the worker's log and the tests."""

    links_sent: int = 0
    reminders_queued: int = 0
    cancelled: int = 0
    wiped: int = 0
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def link_url(token: str) -> str:
    return site_url(reverse("self-report", kwargs={"token": token}))


def stop_url(token: str) -> str:
    return site_url(reverse("messages-stop", kwargs={"token": token}))


def _channel(client: Client) -> Channel:
    return Channel.SMS if client.message_channel == MessageChannel.SMS else Channel.EMAIL


def link_message(
    *, organisation: Organisation, channel: Channel, link: str, stop: str, expires_at: dt.datetime, reminder: bool
) -> tuple[str, str]:
    """The subject and body of a scheduled link or its reminder: the service's name, the link and how to stop.
    No instrument name, no client name, nothing clinical (see the module's docstring)."""
    name = organisation.name
    until = date_format(timezone.localtime(expires_at), "j F")
    if channel == Channel.SMS:
        opening = "Reminder: a" if reminder else "A"
        body = (
            f"{name}: {opening} short questionnaire before your next session: {link} (open until {until}). "
            f"To stop these messages: {stop}"
        )
        return "", body
    subject = f"{name}: {'reminder: ' if reminder else ''}a short questionnaire before your next session"
    opening = (
        "This is a reminder: the short questionnaire before your next session is still open."
        if reminder
        else "Before your next session, please answer a short questionnaire. It takes a few minutes."
    )
    body = (
        f"Hello,\n\n{opening}\n\n{link}\n\nThe link works until {until}. Only you should open it.\n\n"
        f"{name}\n\nTo stop these messages, open {stop} (your therapist can start them again if you ask).\n"
    )
    return subject, body


def _refusal(client: Client, settings_of: NotificationSettings) -> str | None:
    """Why this client gets no message now, or None."""
    if client.is_archived:
        return SKIP_ARCHIVED
    if client.messages_opted_out_at is not None:
        return SKIP_OPTED_OUT
    if not client.consent_to_messages or client.message_channel == MessageChannel.NONE:
        return SKIP_NO_CONSENT
    if not client.message_address:
        return SKIP_NO_ADDRESS
    if client.message_channel == MessageChannel.SMS and not settings_of.sms_enabled:
        return SKIP_SMS_OFF
    return None


class _Settings:
    """Each organisation's settings, read once per run."""

    def __init__(self) -> None:
        self._by_org: dict[int, NotificationSettings] = {
            row.organisation_id: row for row in NotificationSettings.objects.select_related("organisation")
        }

    def of(self, organisation: Organisation) -> NotificationSettings:
        found = self._by_org.get(organisation.pk)
        if found is None:
            found = self._by_org[organisation.pk] = notification_settings_for(organisation)
        return found

    def longest_lead(self) -> int:
        longest = max((row.link_lead_days for row in self._by_org.values()), default=0)
        return max(longest, LEAD_DAYS_DEFAULT)


def scheduled_links_run(*, now: dt.datetime | None = None) -> ScheduleRun:
    """The periodic job: send what is due before planned sessions, remind, stop what is no longer wanted."""
    now = now or timezone.now()
    run = ScheduleRun()
    org_settings = _Settings()
    _stop_what_is_over(now, run)
    _send_links(now, run, org_settings)
    _send_reminders(now, run, org_settings)
    return run


def _send_links(now: dt.datetime, run: ScheduleRun, org_settings: _Settings) -> None:
    planned = contexts.planned_sessions(start=now, end=now + dt.timedelta(days=org_settings.longest_lead()))
    if not planned:
        return
    clients = {
        client.pk: client
        for client in Client.objects.select_related("organisation").filter(pk__in={p.client_id for p in planned})
    }
    planned = [
        p
        for p in planned
        if p.starts_at < now + dt.timedelta(days=org_settings.of(clients[p.client_id].organisation).link_lead_days)
    ]
    due = due_in_contexts(contexts={p.context_id: p.sessions for p in planned}, today=timezone.localdate(now))
    sent = set(
        ScheduledLink.objects.filter(context_id__in=[p.context_id for p in planned]).values_list(
            "context_id", "instrument_code", "session_number"
        )
    )
    waiting = set(
        SelfReportLink.objects.filter(
            client_id__in=list(clients), used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).values_list("client_id", "instrument_code")
    )
    responsible = User.objects.in_bulk({p.responsible_id for p in planned})
    context_rows = TreatmentContext.objects.in_bulk([p.context_id for p in planned])
    for p in planned:
        client = clients[p.client_id]
        settings_of = org_settings.of(client.organisation)
        for measure in due.get(p.context_id, ()):
            if (p.context_id, measure.code, p.number) in sent or not self_report_answerable(measure.code):
                continue
            reason = _refusal(client, settings_of)
            if reason is None and (client.pk, measure.code) in waiting:
                reason = SKIP_WAITING
            if reason is not None:
                run.skipped[reason] += 1
                continue
            if _send_one(
                client=client,
                context=context_rows[p.context_id],
                code=measure.code,
                number=p.number,
                starts_at=p.starts_at,
                created_by=responsible[p.responsible_id],
                settings_of=settings_of,
            ):
                run.links_sent += 1


def _send_one(
    *,
    client: Client,
    context: TreatmentContext,
    code: str,
    number: int,
    starts_at: dt.datetime,
    created_by: User,
    settings_of: NotificationSettings,
) -> bool:
    """One link, its row and its message, in one transaction; False when a concurrent run made it first."""
    try:
        with transaction.atomic():
            link, token = self_report_link_create_scheduled(
                client=client,
                context=context,
                code=code,
                created_by=created_by,
                valid_days=settings_of.link_valid_days,
            )
            stop = secrets.token_urlsafe(STOP_TOKEN_BYTES)
            channel = _channel(client)
            scheduled = ScheduledLink.objects.create(
                organisation_id=client.organisation_id,
                client=client,
                context=context,
                link=link,
                instrument_code=link.instrument_code,
                session_number=number,
                session_at=starts_at,
                channel=channel,
                link_token=token,
                stop_token=stop,
                stop_token_hash=token_hash(stop),
            )
            subject, body = link_message(
                organisation=client.organisation,
                channel=channel,
                link=link_url(token),
                stop=stop_url(stop),
                expires_at=link.expires_at,
                reminder=False,
            )
            message = message_queue(
                organisation=client.organisation,
                kind=KIND_LINK,
                channel=channel,
                address=client.message_address,
                subject=subject,
                body=body,
                dedupe_key=f"{KIND_LINK}:{scheduled.pk}",
                to_client=client,
                link=link,
            )
            ScheduledLink.objects.filter(pk=scheduled.pk).update(last_sent_at=message.next_attempt_at)
    except IntegrityError:
        return False  # the unique (context, measure, session) row: another run sent it
    return True


def _open_context_ids(client_ids: Iterable[int]) -> set[int]:
    ids = list(client_ids)
    found: set[int] = set()
    for kind in contexts.registered():
        found.update(kind.open_context_ids(ids))
    return found


def _send_reminders(now: dt.datetime, run: ScheduleRun, org_settings: _Settings) -> None:
    candidates = list(
        ScheduledLink.objects.filter(
            wiped_at__isnull=True,
            link__used_at__isnull=True,
            link__revoked_at__isnull=True,
            link__expires_at__gt=now,
        ).select_related("link", "client__organisation")
    )
    if not candidates:
        return
    open_ids = _open_context_ids({row.client_id for row in candidates})
    for row in candidates:
        settings_of = org_settings.of(row.client.organisation)
        if row.reminders_sent >= settings_of.reminder_count or row.context_id not in open_ids:
            continue
        if now < row.last_sent_at + dt.timedelta(days=settings_of.reminder_after_days):
            continue
        if _refusal(row.client, settings_of) is not None or not row.link_token:
            continue
        with transaction.atomic():
            # The row locked and counted again, so two runs at once send one reminder.
            claimed = ScheduledLink.objects.filter(pk=row.pk, reminders_sent=row.reminders_sent).update(
                reminders_sent=row.reminders_sent + 1, last_sent_at=now
            )
            if not claimed:
                continue
            channel = Channel(row.channel)
            subject, body = link_message(
                organisation=row.client.organisation,
                channel=channel,
                link=link_url(row.link_token),
                stop=stop_url(row.stop_token),
                expires_at=row.link.expires_at,
                reminder=True,
            )
            message = message_queue(
                organisation=row.client.organisation,
                kind=KIND_REMINDER,
                channel=channel,
                address=row.client.message_address,
                subject=subject,
                body=body,
                dedupe_key=f"{KIND_REMINDER}:{row.pk}:{row.reminders_sent + 1}",
                to_client=row.client,
                link=row.link,
            )
            ScheduledLink.objects.filter(pk=row.pk).update(last_sent_at=message.next_attempt_at)
            run.reminders_queued += 1


def wipe_tokens(rows: Iterable[ScheduledLink]) -> int:
    """No reminder can follow: the kept link and opt-out tokens go (the opt-out token's hash stays)."""
    ids = [row.pk for row in rows]
    return ScheduledLink.objects.filter(pk__in=ids, wiped_at__isnull=True).update(
        link_token="", stop_token="", wiped_at=timezone.now()
    )


def cancel_queued(messages: Iterable[Message], reason: str) -> int:
    return sum(1 for message in messages if message_cancel(message=message, reason=reason))


def _stop_what_is_over(now: dt.datetime, run: ScheduleRun) -> None:
    """Cancel queued link messages no longer wanted, and wipe the tokens no reminder needs any more."""
    queued = list(
        Message.objects.filter(
            kind__in=LINK_KINDS, state=MessageState.QUEUED, to_client__isnull=False, link__isnull=False
        ).select_related("link", "to_client", "organisation")
    )
    open_ids = _open_context_ids({message.to_client_id for message in queued if message.to_client_id})
    for message in queued:
        reason = _stop_reason(message.link, message.to_client, open_ids, now)  # type: ignore[arg-type]
        if reason is not None and message_cancel(message=message, reason=reason):
            run.cancelled += 1
    open_rows = list(ScheduledLink.objects.filter(wiped_at__isnull=True).select_related("link", "client"))
    open_ids |= _open_context_ids({row.client_id for row in open_rows})
    over = [row for row in open_rows if _stop_reason(row.link, row.client, open_ids, now) is not None]
    run.wiped += wipe_tokens(over)


def _stop_reason(link: SelfReportLink, client: Client, open_ids: set[int], now: dt.datetime) -> str | None:
    if link.used_at is not None:
        return REASON_ANSWERED
    if link.revoked_at is not None:
        return REASON_WITHDRAWN
    if link.expires_at <= now:
        return REASON_EXPIRED
    if client.is_archived:
        return REASON_ARCHIVED
    if client.messages_opted_out_at is not None:
        return REASON_OPTED_OUT
    if not client.consent_to_messages:
        return REASON_NO_CONSENT
    if link.context_id is not None and link.context_id not in open_ids:
        return REASON_CONTEXT_CLOSED
    return None


def link_closed(link: SelfReportLink, reason: str) -> None:
    """A link was answered or withdrawn: its queued messages are cancelled and its kept token wiped, now."""
    cancel_queued(
        Message.objects.filter(link=link, kind__in=LINK_KINDS, state=MessageState.QUEUED),
        {"answered": REASON_ANSWERED, "client archived": REASON_ARCHIVED}.get(reason, REASON_WITHDRAWN),
    )
    wipe_tokens(ScheduledLink.objects.filter(link=link))


def client_messages_stopped(client: Client, reason: str) -> int:
    """The client opted out (or was archived): every queued message to them is cancelled, kept tokens wiped."""
    cancelled = cancel_queued(Message.objects.filter(to_client=client, state=MessageState.QUEUED), reason)
    wipe_tokens(ScheduledLink.objects.filter(client=client))
    return cancelled
