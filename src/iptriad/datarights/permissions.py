"""Who may export or erase a client's whole record: the organisation's administrators, nobody else.

Administrators answer a client's request to see or remove their data (and the regulator's questions about
it); clinicians work inside the record but do not hand it out or destroy it. To any other role the pages of a
client's data rights do not exist (404), like any object they may not act on.
"""

from __future__ import annotations

from django.db.models import QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action
from iptriad.clients.models import Client

DATA_RIGHTS_ACTIONS = frozenset({Action.EXPORT, Action.ERASE})


class DataRightsPolicy:
    def allows(self, actor: Actor, action: Action) -> bool:
        return actor.role == Role.ADMIN and action in DATA_RIGHTS_ACTIONS

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[Client]) -> QuerySet[Client]:
        if not self.allows(actor, action):
            return queryset.none()
        return queryset.filter(organisation_id=actor.organisation.pk)


data_rights_policy = DataRightsPolicy()
