"""Who may do what to client records.

Administrators and supervisors work with every client of their organisation; a therapist with the
clients assigned to them; a group facilitator with none until group IPT gives them their members.
"""

from __future__ import annotations

from django.db.models import QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action
from iptriad.clients.models import Client

_ALL = frozenset(Action)
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: _ALL,
    Role.SUPERVISOR: _ALL,
    Role.THERAPIST: _ALL,
    Role.FACILITATOR: frozenset(),
}
# Roles that see every client of the organisation rather than their own caseload.
WHOLE_ORGANISATION_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


class ClientPolicy:
    def allows(self, actor: Actor, action: Action) -> bool:
        return action in ROLE_ACTIONS[actor.role]

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[Client]) -> QuerySet[Client]:
        if not self.allows(actor, action):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if actor.role in WHOLE_ORGANISATION_ROLES:
            return scoped
        return scoped.filter(therapist_id=actor.user_id)

    def may_assign_any_therapist(self, actor: Actor) -> bool:
        return actor.role in WHOLE_ORGANISATION_ROLES


client_policy = ClientPolicy()
