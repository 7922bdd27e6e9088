"""What each role sees first: gathered by selectors, a fixed number of queries whatever the caseload."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Value

from iptriad.accounts.actors import Actor
from iptriad.accounts.audit_trail import audit_events_for_browse
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action
from iptriad.accounts.selectors import members_of_organisation
from iptriad.clients.models import Client, ClientStatus
from iptriad.clients.permissions import client_policy
from iptriad.clients.selectors import (
    client_counts_by_status,
    client_counts_by_therapist,
    client_list,
    client_list_record_viewed,
)
from iptriad.courses.selectors.course import with_next_session
from iptriad.flags.dashboard.cache import home_summary_built
from iptriad.groups.selectors.setup import facilitator_home, open_groups_seen
from iptriad.measures.permissions import alert_policy
from iptriad.measures.selectors import open_alerts
from iptriad.supervision.selectors import my_actions, open_actions_owned

RECENT = 10
GROUPS_ROW = "groups:open"  # never a client status
ACTIONS_ROW = "supervision:actions"  # never a client status
ALERTS_ON_HOME = 20


def client_and_group_counts(actor: Actor) -> tuple[dict[str, int], int, int]:
    """The actor's clients by status, the open groups they see (a therapist: those they supervise) and their open
    supervision actions, in one query (a union), so the groups box costs the home page no query of its own and the
    actions box none when there is no action."""
    clients = client_policy.scope(actor, Action.LIST, Client.objects.all()).order_by().values("status")
    groups = open_groups_seen(actor).order_by().annotate(kind=Value(GROUPS_ROW)).values("kind")
    actions = open_actions_owned(actor).order_by().annotate(kind=Value(ACTIONS_ROW)).values("kind")
    rows = clients.annotate(count=Count("pk")).union(
        groups.annotate(count=Count("pk")), actions.annotate(count=Count("pk")), all=True
    )
    counts = {row["status"]: row["count"] for row in rows}
    statuses = {status.value: counts.get(status.value, 0) for status in ClientStatus}
    return statuses, counts.get(GROUPS_ROW, 0), counts.get(ACTIONS_ROW, 0)


def group_and_action_counts(actor: Actor) -> tuple[int, int]:
    """The open groups the actor sees and their open supervision actions, in one query (a union)."""
    groups = open_groups_seen(actor).order_by().annotate(kind=Value(GROUPS_ROW)).values("kind")
    actions = open_actions_owned(actor).order_by().annotate(kind=Value(ACTIONS_ROW)).values("kind")
    rows = groups.annotate(count=Count("pk")).union(actions.annotate(count=Count("pk")), all=True)
    counts = {row["kind"]: row["count"] for row in rows}
    return counts.get(GROUPS_ROW, 0), counts.get(ACTIONS_ROW, 0)


def home_context(actor: Actor) -> dict[str, Any]:
    context: dict[str, Any] = {"actor": actor}
    if alert_policy.allows(actor, Action.LIST):
        # Open risk alerts lead the page: nothing else on it is as urgent.
        context["alerts"] = list(open_alerts(actor=actor)[:ALERTS_ON_HOME])
    if actor.role == Role.SUPERVISOR:
        # The supervision dashboard's summary (people worst first, from the narrow flags rows) instead of counting
        # every client record twice, built once per change of what it reads (flags/dashboard/cache.py).
        summary = home_summary_built(actor)
        context["dashboard"] = summary.board
        context["people_rows"] = summary.people_html
        context["gravest_cases"] = summary.gravest_html
        context["groups_count"], open_actions = group_and_action_counts(actor)
        context["my_actions"] = my_actions(actor=actor, open_count=open_actions)
    elif actor.role == Role.THERAPIST:
        # The groups box shows only to those who supervise groups: its count comes in the client counts' query.
        context["client_counts"], context["groups_count"], open_actions = client_and_group_counts(actor)
        context["my_actions"] = my_actions(actor=actor, open_count=open_actions)
    elif client_policy.allows(actor, Action.LIST):
        context["client_counts"] = client_counts_by_status(actor=actor)
    if actor.role == Role.THERAPIST:
        # Each client's next session as planned in their open course, in the same query (the key page's budget).
        context["my_clients"] = list(with_next_session(client_list(actor=actor))[:RECENT])
        client_list_record_viewed(actor=actor, shown=context["my_clients"], page=1, searched=False)
    if actor.role == Role.ADMIN:
        context["caseloads"] = client_counts_by_therapist(actor=actor)
    if actor.role == Role.FACILITATOR:
        context["groups_home"] = facilitator_home(actor)
    if actor.role == Role.FACILITATOR:
        # Actions agreed in supervision that the facilitator owns (one query).
        context["my_actions"] = my_actions(actor=actor)
    if actor.role == Role.ADMIN:
        context["members"] = list(members_of_organisation(organisation=actor.organisation))
        context["recent_events"] = list(audit_events_for_browse(actor=actor)[:RECENT])
    return context
