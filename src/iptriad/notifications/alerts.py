"""Risk alerts reach a person: who is told when an alert opens, and who next while nobody acknowledges it.

When an alert opens (measures' `risk_alert_opened`, inside the transaction that opens it) the clinicians
responsible for it are sent an e-mail, and a text message where the organisation sends them and the person gave a
mobile number: level 0. While the alert stays open and unacknowledged (nobody who may act on it has opened its page
or closed it), the periodic job `alerts_escalate` tells the supervisors after the organisation's delay (level 1),
then the administrators and the on-call address after the same time again (level 2). A level with nobody to tell
passes straight on to the next. Every level is a row (`AlertEscalation`) and an audit event; every message is an
outbox row (`message_queue`), idempotent by its dedupe key, so a job run twice tells nobody twice.

Messages carry no clinical content, no client name and no identifier: only that an alert needs attention in
iptriad, the organisation's name and the link to the alert's page (docs/decisions/0030-alert-escalation.md).
Clinicians' alert messages ignore the quiet hours, which are for clients.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation, Role, User
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record_without_member
from iptriad.measures import contexts
from iptriad.measures.models import RiskAlert, SelfReportLink
from iptriad.notifications.models import AlertEscalation, Channel, EscalationLevel, Message, NotificationSettings
from iptriad.notifications.outbox import message_queue
from iptriad.notifications.settings import notification_settings_for

logger = logging.getLogger(__name__)

KIND_OPENED = "alert_opened"
KIND_ESCALATED = "alert_escalated"
LAST_LEVEL = EscalationLevel.ADMINISTRATORS

SUBJECT = "iptriad: a risk alert needs attention"
ON_CALL = "On-call address"


@dataclass(frozen=True)
class Recipient:
    user: User | None  # None: the on-call address
    email: str
    mobile: str = ""

    @property
    def key(self) -> str:
        return f"user:{self.user.pk}" if self.user is not None else "on-call"


def alert_url(alert: RiskAlert) -> str:
    """The alert's page as an absolute address: a worker has no request to take the host from."""
    return settings.SITE_URL + reverse("alert-detail", args=[alert.pk])


def duration_words(minutes: int) -> str:
    """240 -> "4 hours", 90 -> "1 hour 30 minutes", 1440 -> "1 day"."""
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{count} {unit}{'s' if count != 1 else ''}"
        for count, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if count
    ]
    return " ".join(parts) or "0 minutes"


def _active_members(organisation_id: int, users: Q, roles: tuple[str, ...] | None = None) -> list[User]:
    """Users matching `users` who are active members of the organisation (with one of the roles, if given)."""
    memberships = Membership.objects.filter(organisation_id=organisation_id, is_active=True, user__is_active=True)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return list(User.objects.filter(users, pk__in=memberships.values("user_id")).order_by("full_name", "pk"))


def recipients(alert: RiskAlert, level: int, organisation_settings: NotificationSettings) -> list[Recipient]:
    """Who this level tells. Level 0: the clinicians responsible for the context the alert arose in, else the
    client's therapist when it arose outside any context; 1: the supervisors; 2: the administrators and the
    on-call address."""
    organisation_id = alert.organisation_id
    if level == EscalationLevel.CLINICIANS:
        if alert.context_id is not None:
            ids = [user.pk for user in contexts.responsible(alert.context)] if alert.context is not None else []
        else:
            ids = [alert.client.therapist_id] if alert.client.therapist_id is not None else []
        users = _active_members(organisation_id, Q(pk__in=ids))
    elif level == EscalationLevel.SUPERVISORS:
        users = _active_members(organisation_id, Q(), (Role.SUPERVISOR,))
    else:
        users = _active_members(organisation_id, Q(), (Role.ADMIN,))
    found = [Recipient(user=user, email=user.email, mobile=user.mobile_phone) for user in users]
    on_call = organisation_settings.on_call_email.strip()
    if level == LAST_LEVEL and on_call and on_call.lower() not in {user.email.lower() for user in users}:
        found.append(Recipient(user=None, email=on_call))
    return found


def _body(alert: RiskAlert, level: int, organisation: Organisation, delay_minutes: int) -> str:
    url = alert_url(alert)
    if level == EscalationLevel.CLINICIANS:
        opening = f"A risk alert at {organisation.name} needs your attention in iptriad."
    else:
        waited = duration_words(delay_minutes * level)
        opening = (
            f"A risk alert at {organisation.name} has not been acknowledged in iptriad for {waited} and needs "
            "attention. Please make sure a clinician of the service looks at it now."
        )
    return (
        f"{opening}\n\nOpen it here (you will be asked to sign in):\n{url}\n\n"
        "This message says nothing more on purpose: the details are in iptriad.\n"
    )


def _sms(alert: RiskAlert, organisation: Organisation) -> str:
    return f"iptriad: a risk alert at {organisation.name} needs attention. {alert_url(alert)}"


def _queue(alert: RiskAlert, level: int, people: list[Recipient], organisation_settings: NotificationSettings) -> None:
    organisation = organisation_settings.organisation
    kind = KIND_OPENED if level == EscalationLevel.CLINICIANS else KIND_ESCALATED
    body = _body(alert, level, organisation, organisation_settings.alert_escalation_minutes)
    for person in people:
        key = f"alert:{alert.pk}:level:{level}:{person.key}"
        message_queue(
            organisation=organisation,
            kind=kind,
            channel=Channel.EMAIL,
            address=person.email,
            subject=SUBJECT,
            body=body,
            dedupe_key=key,
            to_user=person.user,
            alert=alert,
        )
        if organisation_settings.sms_enabled and person.mobile:
            message_queue(
                organisation=organisation,
                kind=kind,
                channel=Channel.SMS,
                address=person.mobile,
                subject="",
                body=_sms(alert, organisation),
                dedupe_key=f"{key}:sms",
                to_user=person.user,
                alert=alert,
            )


def alert_tell(alert: RiskAlert, level: int, *, now: dt.datetime | None = None) -> AlertEscalation | None:
    """Tell one level of an alert (and the next at once if this one has nobody), in the caller's transaction.

    Idempotent: a level already told is not told again (its row exists), and each message has a dedupe key.
    Returns the row of the last level told now, or None if this level was told before."""
    now = now or timezone.now()
    organisation_settings = notification_settings_for(alert.organisation)
    while True:
        people = recipients(alert, level, organisation_settings)
        try:
            with transaction.atomic():  # a savepoint: a twin worker's row leaves the caller's transaction usable
                row = AlertEscalation.objects.create(
                    organisation_id=alert.organisation_id, alert=alert, level=level, at=now, told=len(people)
                )
        except IntegrityError:
            return None
        _queue(alert, level, people, organisation_settings)
        action = AuditAction.ALERT_NOTIFIED if level == EscalationLevel.CLINICIANS else AuditAction.ALERT_ESCALATED
        audit_record_without_member(
            organisation=alert.organisation,
            action=action,
            obj=alert,
            ip_address=None,
            detail={"client": alert.client_id, "level": level, "told": len(people)},
        )
        if people or level >= LAST_LEVEL:
            if not people:
                logger.error(
                    "Risk alert %s reached nobody: no clinician, supervisor, administrator or on-call", alert.pk
                )
            return row
        level += 1  # nobody at this level: never nobody, the next level is told now


def alert_opened(sender: type[RiskAlert], alert: RiskAlert, **kwargs: Any) -> None:
    """measures' `risk_alert_opened`: the responsible clinicians are told in the transaction opening the alert."""
    alert_tell(alert, EscalationLevel.CLINICIANS, now=alert.opened_at if alert.opened_at else None)


def _due(rows: list[AlertEscalation], delay: dt.timedelta, now: dt.datetime) -> int | None:
    """The level to tell now: 0 when the opening's messages are missing (a receiver failed), the next level once
    the last one told has waited the delay, else None."""
    if not rows:
        return EscalationLevel.CLINICIANS
    last = max(rows, key=lambda row: row.level)
    if last.level >= LAST_LEVEL or last.at + delay > now:
        return None
    return last.level + 1


def alerts_escalate(*, now: dt.datetime | None = None) -> int:
    """The periodic job (every minute): tell the next level of every open, unacknowledged alert that has waited
    long enough. Each alert in its own transaction with its row locked, so two schedulers never both tell it.
    Returns how many levels were told."""
    now = now or timezone.now()
    waiting = list(
        RiskAlert.objects.filter(closed_at__isnull=True, acknowledged_at__isnull=True).values_list(
            "pk", "organisation_id"
        )
    )
    rows: dict[int, list[AlertEscalation]] = {}
    for row in AlertEscalation.objects.filter(alert_id__in=[pk for pk, _ in waiting]):
        rows.setdefault(row.alert_id, []).append(row)
    delays: dict[int, dt.timedelta] = {}
    told = 0
    for pk, organisation_id in waiting:
        if organisation_id not in delays:
            organisation = Organisation.objects.get(pk=organisation_id)
            delays[organisation_id] = dt.timedelta(
                minutes=notification_settings_for(organisation).alert_escalation_minutes
            )
        level = _due(rows.get(pk, []), delays[organisation_id], now)
        if level is None:
            continue
        try:
            with transaction.atomic():
                alert = (
                    RiskAlert.objects.select_for_update(of=("self",))
                    .select_related("organisation", "client", "context")
                    .filter(pk=pk, closed_at__isnull=True, acknowledged_at__isnull=True)
                    .first()
                )
                if alert is not None and alert_tell(alert, level, now=now) is not None:
                    told += 1
        except Exception:  # one alert's failure must not stop the others' escalation; the next run retries it
            logger.exception("Escalating risk alert %s failed; the next run tries again", pk)
    return told


# --- What the alert's page and the client's page say -------------------------------------------------------


@dataclass(frozen=True)
class Told:
    """One line of "Who was told" on the alert's page."""

    when: dt.datetime
    who: str
    role: str
    channel: str
    state: str
    reason: str = ""


def who_was_told(actor: Actor, alert: RiskAlert) -> dict[str, Any] | None:
    """The alert page's section: each level told, each message (recipient, role, channel, state, time) and what
    happens next. Three queries whatever the number of messages."""
    levels = list(AlertEscalation.objects.filter(alert_id=alert.pk, organisation_id=alert.organisation_id))
    messages = list(
        Message.objects.filter(alert_id=alert.pk, organisation_id=alert.organisation_id)
        .select_related("to_user")
        .defer("subject", "body")  # encrypted, and not shown: no need to decrypt them
        .order_by("queued_at", "pk")
    )
    user_ids = {message.to_user_id for message in messages if message.to_user_id is not None}
    roles = dict(
        Membership.objects.filter(organisation_id=alert.organisation_id, user_id__in=user_ids).values_list(
            "user_id", "role"
        )
    )
    told = [
        Told(
            when=message.sent_at or message.failed_at or message.queued_at,
            who=message.to_user.full_name if message.to_user is not None else message.address,
            role=Role(roles[message.to_user_id]).label if message.to_user_id in roles else ON_CALL,
            channel=message.get_channel_display(),
            state=message.get_state_display(),
            reason=message.reason,
        )
        for message in messages
    ]
    organisation_settings = notification_settings_for(actor.organisation)
    delay = dt.timedelta(minutes=organisation_settings.alert_escalation_minutes)
    next_step = None
    if alert.is_open and alert.acknowledged_at is None and levels:
        last = max(levels, key=lambda row: row.level)
        if last.level < LAST_LEVEL:
            next_step = {"at": last.at + delay, "who": EscalationLevel(last.level + 1).label}
    return {
        "levels": [
            {"at": row.at, "who": EscalationLevel(row.level).label, "told": row.told, "level": row.level}
            for row in sorted(levels, key=lambda row: row.level)
        ],
        "told": told,
        "next_step": next_step,
        "delay": duration_words(organisation_settings.alert_escalation_minutes),
    }


GROUP_WORDS = {
    EscalationLevel.CLINICIANS: "your therapist",
    EscalationLevel.SUPERVISORS: "the service's supervisors",
    EscalationLevel.ADMINISTRATORS: "the service's administrators",
}


def alert_notice(link: SelfReportLink) -> list[str]:
    """What the client's page says after a risk answer on this link: who was sent a message, and who is told
    next and when, with the organisation's own delay. Read from the rows, so it is true when it is read."""
    organisation = link.organisation
    alerts = list(RiskAlert.objects.filter(link_id=link.pk, organisation_id=organisation.pk))
    if not alerts:  # a lifetime answer already known in the course: no new alert, the answers are with them
        return [f"Your answers have been sent to your therapist at {organisation.name}."]
    if all(alert.acknowledged_at is not None or alert.closed_at is not None for alert in alerts):
        return [f"Someone at {organisation.name} who looks after your care has seen your answer."]
    levels = sorted(
        set(
            AlertEscalation.objects.filter(alert_id__in=[alert.pk for alert in alerts], told__gt=0).values_list(
                "level", flat=True
            )
        )
    )
    if not levels:
        return [f"Your answer is waiting for the clinicians at {organisation.name} in iptriad."]
    groups = " and ".join(GROUP_WORDS[EscalationLevel(level)] for level in levels)
    verb = "has" if len(levels) == 1 and levels[0] == EscalationLevel.CLINICIANS else "have"
    said = [f"{groups[0].upper()}{groups[1:]} {verb} been sent a message about your answer at {organisation.name}."]
    if levels[-1] < LAST_LEVEL:
        delay = duration_words(notification_settings_for(organisation).alert_escalation_minutes)
        after = GROUP_WORDS[EscalationLevel(levels[-1] + 1)]
        said.append(f"If nobody has looked at it within {delay}, {after} are told.")
    return said
