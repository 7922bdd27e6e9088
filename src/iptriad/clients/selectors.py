"""Reads of client records: always scoped by the client policy, and audited when a record is seen."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import User
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client, ClientStatus
from iptriad.clients.permissions import client_policy
from iptriad.core.search import search_terms

# The statuses a list may be filtered by; anything else is refused, never passed to the query.
LIST_STATUSES = {"active": [ClientStatus.ACTIVE], "archived": [ClientStatus.ARCHIVED], "all": list(ClientStatus)}


def client_list(*, actor: Actor, query: str = "", status: str = "active") -> QuerySet[Client]:
    clients = client_policy.scope(actor, Action.LIST, Client.objects.all()).select_related(
        "therapist", "consent_to_messages_by"
    )
    clients = clients.filter(status__in=LIST_STATUSES.get(status, LIST_STATUSES["active"]))
    terms = search_terms(query)
    if not terms:
        return clients.order_by("family_name", "given_name", "pk")
    for term in terms:
        clients = clients.filter(search_text__contains=term)
    # Ordering by an expression stops the planner walking the whole name index in order and testing every
    # row; it filters on the covering search index instead and sorts the few matches (bench/client_pages.py).
    return clients.order_by(Lower("family_name"), Lower("given_name"), "pk")


def client_get(*, actor: Actor, client_id: int, action: Action, annotate: dict[str, Any] | None = None) -> Client:
    """The client if the actor may act on it, else 404: a foreign and a missing client look alike."""
    scoped = client_policy.scope(
        actor, action, Client.objects.select_related("therapist", "organisation", "consent_to_messages_by")
    )
    return get_object_or_404(scoped.annotate(**(annotate or {})), pk=client_id)


def client_get_for_view(*, actor: Actor, client_id: int, annotate: dict[str, Any] | None = None) -> Client:
    """The record page's client, with the flags of the sections the apps above add (iptriad.web.sections)."""
    client = client_get(actor=actor, client_id=client_id, action=Action.VIEW, annotate=annotate)
    audit_record(actor=actor, action=AuditAction.CLIENT_VIEWED, obj=client)
    return client


def client_list_record_viewed(*, actor: Actor, shown: list[Client], page: int, searched: bool) -> None:
    """Who saw which names in a list; the search text itself may hold a name, so it is not kept."""
    audit_record(
        actor=actor,
        action=AuditAction.CLIENT_LISTED,
        detail={"client_ids": [client.pk for client in shown], "page": page, "searched": searched},
    )


def client_counts_by_therapist(*, actor: Actor) -> list[dict[str, object]]:
    """Active clients per assigned therapist, counted in SQL (a supervisor's overview)."""
    clients = client_policy.scope(actor, Action.LIST, Client.objects.all()).filter(status=ClientStatus.ACTIVE)
    # Count on the (organisation, therapist, status) index alone, then name the few therapists found:
    # joining users into the aggregate would read every client row.
    counts = list(clients.order_by().values("therapist_id").annotate(count=Count("pk")))
    names = dict(
        User.objects.filter(pk__in=[row["therapist_id"] for row in counts if row["therapist_id"]]).values_list(
            "pk", "full_name"
        )
    )
    rows = [
        {
            "therapist_id": row["therapist_id"],
            "therapist__full_name": names.get(row["therapist_id"]),
            "count": row["count"],
        }
        for row in counts
    ]
    return sorted(rows, key=lambda row: (row["therapist__full_name"] is None, str(row["therapist__full_name"] or "")))


def active_clients_assigned(*, actor: Actor, therapist_id: int) -> int:
    """How many unarchived clients a therapist still has: the members page says so when they are deactivated."""
    clients = client_policy.scope(actor, Action.LIST, Client.objects.all())
    return clients.filter(therapist_id=therapist_id, archived_at__isnull=True).count()


def client_counts_by_status(*, actor: Actor) -> dict[str, int]:
    clients = client_policy.scope(actor, Action.LIST, Client.objects.all())
    counts = {row["status"]: row["count"] for row in clients.order_by().values("status").annotate(count=Count("pk"))}
    return {status.value: counts.get(status.value, 0) for status in ClientStatus}
