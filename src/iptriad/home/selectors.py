"""What each role sees first: gathered by selectors, a fixed number of queries whatever the caseload."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.accounts.audit_trail import audit_events_for_browse
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action
from iptriad.accounts.selectors import members_of_organisation
from iptriad.clients.permissions import client_policy
from iptriad.clients.selectors import (
    client_counts_by_status,
    client_counts_by_therapist,
    client_list,
    client_list_record_viewed,
)
from iptriad.courses.selectors.course import with_next_session
from iptriad.groups.selectors.setup import facilitator_home, groups_box_count
from iptriad.measures.permissions import alert_policy
from iptriad.measures.selectors import open_alerts

RECENT = 10
ALERTS_ON_HOME = 20


def home_context(actor: Actor) -> dict[str, Any]:
    context: dict[str, Any] = {"actor": actor}
    if alert_policy.allows(actor, Action.LIST):
        # Open risk alerts lead the page: nothing else on it is as urgent.
        context["alerts"] = list(open_alerts(actor=actor)[:ALERTS_ON_HOME])
    if client_policy.allows(actor, Action.LIST):
        context["client_counts"] = client_counts_by_status(actor=actor)
    if actor.role == Role.THERAPIST:
        # Each client's next session as planned in their open course, in the same query (the key page's budget).
        context["my_clients"] = list(with_next_session(client_list(actor=actor))[:RECENT])
        client_list_record_viewed(actor=actor, shown=context["my_clients"], page=1, searched=False)
    if actor.role in (Role.SUPERVISOR, Role.ADMIN):
        context["caseloads"] = client_counts_by_therapist(actor=actor)
    if actor.role == Role.FACILITATOR:
        context["groups_home"] = facilitator_home(actor)
    if actor.role in (Role.THERAPIST, Role.SUPERVISOR):
        # One query: the box shows only to those who supervise groups.
        context["groups_count"] = groups_box_count(actor)
    if actor.role == Role.ADMIN:
        context["members"] = list(members_of_organisation(organisation=actor.organisation))
        context["recent_events"] = list(audit_events_for_browse(actor=actor)[:RECENT])
    return context
