"""Reading the audit trail, always within the actor's organisation."""

from __future__ import annotations

from django.db.models import QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditEvent
from iptriad.audit.permissions import audit_policy


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
