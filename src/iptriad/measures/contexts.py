"""Treatment contexts: where a client's measures are given (an IPT course; a group membership next).

Measures sits below the apps that run treatment and never imports them. Each such app registers one `ContextKind`
when it starts (its AppConfig.ready), and measures asks through it what only that app knows: whom a clinician
treats, whether a context is still open, who may change its schedule, which of its sessions a measure is recorded
in, and who is responsible for what arises in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import User
from iptriad.clients.models import Client
from iptriad.measures.due import ContextSessions
from iptriad.measures.models import Occasion, TreatmentContext

ERROR_CONTEXT_CLOSED = "This course is closed."


@dataclass(frozen=True)
class OccasionChoice:
    """A session a measure is being recorded in, with the words the record page shows for it."""

    occasion: Occasion
    label: str  # e.g. "session 3 of the IPT course (4 Mar 2026)"


@dataclass(frozen=True)
class PlannedSession:
    """An open context's next planned session, with what the due rules need and who answers for it."""

    context_id: int
    client_id: int
    organisation_id: int
    starts_at: dt.datetime
    number: int  # as the due rules count it: attended sessions so far plus one
    responsible_id: int  # the clinician who sends what is due at it (the course's therapist)
    sessions: ContextSessions


class ContextKind(Protocol):
    """What measures asks of the app that runs one kind of treatment context."""

    kind: str  # stored in TreatmentContext.kind

    def treating(self, actor: Actor) -> QuerySet[Any]:
        """Rows with a `client_id`: the clients the actor treats in an open context of this kind."""
        ...

    def open_context_ids(self, client_ids: QuerySet[Any] | list[int]) -> QuerySet[Any]:
        """The ids of the open contexts of this kind of these clients (a flat values list, for a subquery)."""
        ...

    def may_change(self, actor: Actor, context: TreatmentContext) -> bool:
        """Whether the actor may change what belongs to the context, such as its measure schedule."""
        ...

    def may_record(self, actor: Actor, context: TreatmentContext) -> bool:
        """Whether the actor may record a measure or raise a concern in the context's sessions: a group's lay
        facilitator does, for their own members, without seeing the client's other records."""
        ...

    def occasion_for(self, actor: Actor, client: Client, occasion_id: int) -> OccasionChoice | None:
        """The client's session of this kind behind the occasion, if the actor may record a measure in it."""
        ...

    def responsible(self, context: TreatmentContext) -> QuerySet[User]:
        """The clinicians responsible for what arises in the context, such as a risk alert."""
        ...

    def responsible_for(self, actor: Actor) -> QuerySet[Any]:
        """The ids (a flat values list) of the contexts of this kind the actor is responsible for, open or closed."""
        ...

    def next_session(self, context: TreatmentContext) -> dt.datetime | None:
        """When the context's next session is planned, while it is open (None: not planned, or closed)."""
        ...

    def planned_sessions(self, *, start: dt.datetime, end: dt.datetime) -> list[PlannedSession]:
        """The open contexts of this kind (every organisation) whose next session is planned in [start, end), with
        their sessions so far; a fixed number of queries whatever their number."""
        ...


_kinds: dict[str, ContextKind] = {}


def register(kind: ContextKind) -> None:
    """Called once per kind from its app's ready(); registering a kind again replaces it (tests reload apps)."""
    _kinds[kind.kind] = kind


def registered() -> tuple[ContextKind, ...]:
    return tuple(_kinds.values())


def kind_of(context: TreatmentContext) -> ContextKind:
    try:
        return _kinds[context.kind]
    except KeyError:
        raise LookupError(f"No treatment context kind {context.kind!r} is registered.") from None


def treated_by(actor: Actor, client_id: str = "client_id") -> Q:
    """A filter for rows whose client (the `client_id` lookup) the actor treats in an open context of any kind."""
    treated = Q(pk__in=[])  # matches nothing when no kind is registered
    for kind in registered():
        # A subquery of the actor's few clients, not a correlated EXISTS: the database reads them once and looks each
        # row up in them, where EXISTS ran once per row (7,500 open alerts of an organisation at 1,000,000 clients).
        treated |= Q(**{f"{client_id}__in": kind.treating(actor).values("client_id")})
    return treated


def open_contexts(client: Client) -> QuerySet[TreatmentContext]:
    """The client's open treatment contexts of every kind, the newest first."""
    ids = Q(pk__in=[])
    for kind in registered():
        ids |= Q(pk__in=kind.open_context_ids([client.pk]))
    return TreatmentContext.objects.filter(ids, client=client).order_by("-created_at", "-pk")


def open_context(client: Client) -> TreatmentContext | None:
    """The context a measure given outside any session joins: the client's open one (the newest, if several)."""
    return open_contexts(client).first()


def is_open(context: TreatmentContext) -> bool:
    still_open = kind_of(context).open_context_ids([context.client_id])
    return TreatmentContext.objects.filter(pk=context.pk, pk__in=still_open).exists()


def require_change(actor: Actor, context: TreatmentContext) -> None:
    """Services are entry points too (pages, API, CLI): check the context itself, then that it is still open."""
    if not kind_of(context).may_change(actor, context):
        raise PermissionDenied("You may not change this course.")
    if not is_open(context):
        raise ValidationError(ERROR_CONTEXT_CLOSED)


def may_record(actor: Actor, context: TreatmentContext) -> bool:
    """Whether the actor may record in the context's sessions, asked of its kind."""
    return kind_of(context).may_record(actor, context)


def occasion_for(actor: Actor, client: Client, occasion_id: int) -> OccasionChoice | None:
    """The session behind an occasion id, if it is the client's and the actor may record a measure in it."""
    for kind in registered():
        choice = kind.occasion_for(actor, client, occasion_id)
        if choice is not None:
            return choice
    return None


def responsible_for(actor: Actor, context_id: str = "context_id") -> Q:
    """A filter for rows (risk alerts) that arose in a context of any kind the actor is responsible for, whatever
    the context's state: a closed course does not take its open alert out of its therapist's sight."""
    responsible = Q(pk__in=[])  # matches nothing when no kind is registered
    for kind in registered():
        responsible |= Q(**{f"{context_id}__in": kind.responsible_for(actor)})
    return responsible


def responsible(context: TreatmentContext) -> list[User]:
    """The clinicians responsible for what arises in the context (its kind decides who they are)."""
    return list(kind_of(context).responsible(context))


def next_session(context: TreatmentContext) -> dt.datetime | None:
    """When the context's next session is planned, asked of its kind (None: none planned, or the context closed)."""
    return kind_of(context).next_session(context)


def planned_sessions(*, start: dt.datetime, end: dt.datetime) -> list[PlannedSession]:
    """Every open context of every kind whose next session is planned in [start, end)."""
    return [planned for kind in registered() for planned in kind.planned_sessions(start=start, end=end)]
