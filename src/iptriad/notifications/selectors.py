"""Reading the message log: the organisation's messages, newest first, without their content."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership
from iptriad.accounts.permissions import Action
from iptriad.notifications.models import Message
from iptriad.notifications.permissions import message_log_policy

LOG_FIELDS = (
    "id",
    "kind",
    "channel",
    "state",
    "attempts",
    "reason",
    "queued_at",
    "sent_at",
    "failed_at",
    "next_attempt_at",
    "to_user_id",
    "to_client_id",
    "to_client__identifier",
    "organisation_id",
)


def messages_for_log(*, actor: Actor, state: str = "", kind: str = "", channel: str = "") -> QuerySet[Message]:
    """One query per page whatever the caseload: the client's identifier comes in the same join, and the
    encrypted subject and body are never read."""
    messages = message_log_policy.scope(actor, Action.LIST, Message.objects.all())
    if state:
        messages = messages.filter(state=state)
    if kind:
        messages = messages.filter(kind=kind)
    if channel:
        messages = messages.filter(channel=channel)
    # The staff member's role in this organisation, in the same query ("therapist", "supervisor"...).
    role = Membership.objects.filter(user_id=OuterRef("to_user_id"), organisation_id=OuterRef("organisation_id"))
    log: QuerySet[Message] = (
        messages.select_related("to_client")
        .only(*LOG_FIELDS)
        .annotate(recipient_role=Subquery(role.values("role")[:1]))
        .order_by("-queued_at", "-pk")
    )
    return log


def message_kinds(*, actor: Actor) -> list[str]:
    """The kinds of message the organisation has, for the filter."""
    scoped = message_log_policy.scope(actor, Action.LIST, Message.objects.all())
    return sorted(set(scoped.values_list("kind", flat=True).distinct()))
