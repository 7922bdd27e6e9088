"""Who may read the audit trail: the organisation's administrators."""

from __future__ import annotations

from django.db.models import QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditEvent


class AuditPolicy:
    def allows(self, actor: Actor, action: Action) -> bool:
        return actor.role == Role.ADMIN and action in (Action.LIST, Action.VIEW)

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if not self.allows(actor, action):
            return queryset.none()
        return queryset.filter(organisation=actor.organisation)


audit_policy = AuditPolicy()
