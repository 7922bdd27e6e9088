"""Who sees the supervisor's dashboard, and whose rows.

| what                                            | admin | supervisor        | therapist    | facilitator  |
|-------------------------------------------------|-------|-------------------|--------------|--------------|
| the dashboard (people worst first, their cases) | no    | the organisation  | their own    | their own    |
| a person's flagged cases                        | no    | anyone's          | their own    | their own    |

Flags name clients and what is wrong with their treatment, so an administrator (who may be non-clinical staff and
sees no clinical record) gets none of it. A therapist or facilitator sees their own row: the cases they already see
on their own pages, put in the order a supervisor would take them.
"""

from __future__ import annotations

from django.db.models import QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.flags.models import ContextFlags

WHOLE_ORGANISATION = frozenset({Role.SUPERVISOR})
OWN_ROWS = frozenset({Role.THERAPIST, Role.FACILITATOR})


class DashboardPolicy:
    def allows(self, actor: Actor) -> bool:
        return actor.role in WHOLE_ORGANISATION | OWN_ROWS

    def sees_everyone(self, actor: Actor) -> bool:
        return actor.role in WHOLE_ORGANISATION

    def may_see_person(self, actor: Actor, user_id: int) -> bool:
        return self.sees_everyone(actor) or (actor.role in OWN_ROWS and actor.user_id == user_id)

    def scope(self, actor: Actor, queryset: QuerySet[ContextFlags]) -> QuerySet[ContextFlags]:
        if not self.allows(actor):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if self.sees_everyone(actor):
            return scoped
        return scoped.filter(clinician_id=actor.user_id)


dashboard_policy = DashboardPolicy()
