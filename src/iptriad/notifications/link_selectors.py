"""Reading what scheduled links did: the messages to one client (for their clinicians), and the response rate.

Both read no content (the encrypted subject and body are never selected) and run a fixed number of queries
whatever the caseload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action
from iptriad.clients.models import Client
from iptriad.measures.definitions import definition as instrument
from iptriad.measures.permissions import measure_policy
from iptriad.notifications.links import KIND_REMINDER
from iptriad.notifications.models import Message, MessageState, ScheduledLink

CLIENT_MESSAGES_SHOWN = 30


def may_see_client_messages(actor: Actor) -> bool:
    """Clinical roles only (no query); client_messages then keeps to the clients the actor's measures policy allows."""
    return measure_policy.allows(actor, Action.VIEW)


def client_messages(*, actor: Actor, client: Client, limit: int = CLIENT_MESSAGES_SHOWN) -> list[Message]:
    """The messages to the client, newest first, without content, if the actor is one of the client's clinicians
    (their therapist, a clinician treating them, a supervisor), as for their measures; else none. One query: the
    permission is a subquery."""
    theirs = measure_policy.scope_clients(actor, Action.VIEW, Client.objects.filter(pk=client.pk))
    return list(
        Message.objects.filter(organisation_id=client.organisation_id, to_client__in=theirs.values("pk"))
        .only("id", "kind", "channel", "state", "reason", "queued_at", "sent_at", "failed_at", "next_attempt_at")
        .order_by("-queued_at", "-pk")[:limit]
    )


class ResponseReportPolicy:
    """The response rate of scheduled links: clinicians for their clients (supervisors: the organisation's), and
    administrators for the organisation (counts only, no client)."""

    def allows(self, actor: Actor, action: Action) -> bool:
        return action == Action.LIST and actor.role in (Role.ADMIN, Role.SUPERVISOR, Role.THERAPIST)

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.allows(actor, action):
            return queryset.none()
        if actor.role == Role.ADMIN:
            return queryset.filter(organisation_id=actor.organisation.pk)
        return measure_policy.scope(actor, Action.LIST, queryset)


response_report_policy = ResponseReportPolicy()


@dataclass(frozen=True)
class ResponseRow:
    label: str
    sent: int
    answered: int
    after_reminder: int

    @property
    def rate(self) -> int | None:
        """Answered out of sent, in whole per cent (None when nothing was sent)."""
        return round(100 * self.answered / self.sent) if self.sent else None


@dataclass(frozen=True)
class ResponseReport:
    total: ResponseRow
    by_channel: list[ResponseRow]
    by_measure: list[ResponseRow]


def _rows(scoped: QuerySet[ScheduledLink], key: str) -> list[dict[str, Any]]:
    reminded_before_answer = Message.objects.filter(
        link_id=OuterRef("link_id"), kind=KIND_REMINDER, state=MessageState.SENT, sent_at__lt=OuterRef("link__used_at")
    )
    answered = Q(link__used_at__isnull=False)
    return list(
        scoped.annotate(reminded=Exists(reminded_before_answer))
        .values(key)
        .annotate(
            sent=Count("pk"),
            answered=Count("pk", filter=answered),
            after_reminder=Count("pk", filter=answered & Q(reminded=True)),
        )
        .order_by(key)
    )


def _measure_name(code: str) -> str:
    try:
        return instrument(code).short_name
    except Exception:
        return code.upper()


def response_report(*, actor: Actor, start: dt.datetime | None, end: dt.datetime | None) -> ResponseReport:
    """Scheduled links sent in [start, end), answered, answered after a reminder, by channel and by measure:
    two queries (grouped in SQL) whatever the number of links."""
    scoped = response_report_policy.scope(actor, Action.LIST, ScheduledLink.objects.all())
    if start is not None:
        scoped = scoped.filter(created_at__gte=start)
    if end is not None:
        scoped = scoped.filter(created_at__lt=end)
    channels = {"email": "E-mail", "sms": "SMS"}
    by_channel = [
        ResponseRow(channels.get(row["channel"], row["channel"]), row["sent"], row["answered"], row["after_reminder"])
        for row in _rows(scoped, "channel")
    ]
    by_measure = [
        ResponseRow(_measure_name(row["instrument_code"]), row["sent"], row["answered"], row["after_reminder"])
        for row in _rows(scoped, "instrument_code")
    ]
    total = ResponseRow(
        "All",
        sum(row.sent for row in by_channel),
        sum(row.answered for row in by_channel),
        sum(row.after_reminder for row in by_channel),
    )
    return ResponseReport(total=total, by_channel=by_channel, by_measure=by_measure)
