"""Who may export or erase a client's whole record: the organisation's administrators, nobody else.

Administrators answer a client's request to see or remove their data (and the regulator's questions about
it); clinicians work inside the record but do not hand it out or destroy it. To any other role the pages of a
client's data rights do not exist (404), like any object they may not act on.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action
from iptriad.clients.models import Client

M = TypeVar("M", bound=Model)

DATA_RIGHTS_ACTIONS = frozenset({Action.EXPORT, Action.ERASE})


class DataRightsPolicy:
    def allows(self, actor: Actor, action: Action) -> bool:
        return actor.role == Role.ADMIN and action in DATA_RIGHTS_ACTIONS

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[Client]) -> QuerySet[Client]:
        if not self.allows(actor, action):
            return queryset.none()
        return queryset.filter(organisation_id=actor.organisation.pk)


data_rights_policy = DataRightsPolicy()


def may_decide_export(actor: Actor, *, client: Client, requested_by_id: int) -> bool:
    """A second person with a clinical role approves an administrator's export (decision 0032): a supervisor of the
    organisation, or the client's own therapist; never the person who asked."""
    if actor.user is None or actor.user.pk == requested_by_id or client.organisation_id != actor.organisation.pk:
        return False
    if actor.role == Role.SUPERVISOR:
        return True
    return actor.role == Role.THERAPIST and client.therapist_id == actor.user.pk


def export_decision_scope(actor: Actor, queryset: QuerySet[M]) -> QuerySet[M]:
    """The export requests (ExportRequest rows) the actor may approve or refuse, by the same rule."""
    if actor.user is None or actor.role not in (Role.SUPERVISOR, Role.THERAPIST):
        return queryset.none()
    mine = queryset.filter(organisation_id=actor.organisation.pk).exclude(requested_by_id=actor.user.pk)
    if actor.role == Role.THERAPIST:
        mine = mine.filter(client__therapist_id=actor.user.pk)
    return mine
