"""The administrators' audit trail: reading it within their organisation, and checking its chain is intact.

The trail itself (events, hash chains, recording) is iptriad.audit, below accounts; what needs a member's role
is here, beside the members page.
"""

from __future__ import annotations

from django.db.models import QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, audit_policy, require
from iptriad.audit.chain import ChainReport, verify_chains
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.audit.services import audit_record


def audit_events_for_browse(
    *, actor: Actor, action: str = "", object_type: str = "", object_id: str = ""
) -> QuerySet[AuditEvent]:
    events = audit_policy.scope(actor, Action.LIST, AuditEvent.objects.all()).select_related("actor")
    if action:
        events = events.filter(action=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if object_id:
        events = events.filter(object_id=object_id)
    return events.order_by("-created_at", "-pk")


def audit_verify_organisation(*, actor: Actor) -> ChainReport:
    """Check the actor's organisation's chain end to end (the page's button), and record that it was checked.

    No transaction around the check: on SQLite it would hold the write lock for the whole scan.
    """
    require(audit_policy, actor, Action.VIEW)
    [chain] = verify_chains(actor.organisation).chains
    audit_record(
        actor=actor,
        action=AuditAction.AUDIT_VERIFIED,
        detail={"events": chain.events_checked, "problems": chain.problem_count},
    )
    return chain
