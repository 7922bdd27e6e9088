"""Who may do what with group IPT.

| what                                             | admin   | supervisor | therapist            | facilitator       |
|--------------------------------------------------|---------|------------|----------------------|-------------------|
| see a group, its roster and attendance           | all     | all        | groups they supervise| groups they lead  |
| set up groups, sites and formats; add members    | yes     | yes        | no                   | no                |
| hold pre-group meetings and record sessions      | no      | all        | groups they supervise| groups they lead  |
| see symptom checks, goals, risk flags and notes  | no      | all        | groups they supervise| groups they lead  |
| clear a held member, follow a referral up        | no      | all        | groups they supervise| no                |

An administrator (who may be non-clinical staff) organises the programme and sees no clinical content; a facilitator
sees what running their group needs and never a client's individual course records (those stay behind the course
and measures policies, which do not let facilitators in). "Lead" covers the co-facilitator too.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role

M = TypeVar("M", bound=Model)


class GroupAction(StrEnum):
    VIEW = "view"  # the group, its schedule, roster names and attendance
    MANAGE = "manage"  # set-up: the group's details, members added, sites, formats, closing
    RUN = "run"  # pre-group meetings, session rosters, symptom checks, outreach, dropouts, plans
    CLINICAL = "clinical"  # read what was recorded in the group: checks, goals, risk flags, notes
    CLEAR = "clear"  # clear a held member, follow a referral up


ROLE_ACTIONS: dict[Role, frozenset[GroupAction]] = {
    Role.ADMIN: frozenset({GroupAction.VIEW, GroupAction.MANAGE}),
    Role.SUPERVISOR: frozenset(GroupAction),
    Role.THERAPIST: frozenset({GroupAction.VIEW, GroupAction.RUN, GroupAction.CLINICAL, GroupAction.CLEAR}),
    Role.FACILITATOR: frozenset({GroupAction.VIEW, GroupAction.RUN, GroupAction.CLINICAL}),
}
WHOLE_ORGANISATION_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


class GroupPolicy:
    """Every group-owned row reaches its group through `group_lookup` ("" for the Group model itself)."""

    def allows(self, actor: Actor, action: GroupAction) -> bool:
        return action in ROLE_ACTIONS[actor.role]

    def own(self, actor: Actor, group_lookup: str = "") -> Q:
        """The groups the actor works in by name: led or co-led (facilitator), supervised (therapist)."""
        prefix = f"{group_lookup}__" if group_lookup else ""
        if actor.role == Role.FACILITATOR:
            return Q(**{f"{prefix}facilitator_id": actor.user_id}) | Q(**{f"{prefix}co_facilitator_id": actor.user_id})
        return Q(**{f"{prefix}supervisor_id": actor.user_id})

    def scope(self, actor: Actor, action: GroupAction, queryset: QuerySet[M], group_lookup: str = "") -> QuerySet[M]:
        if not self.allows(actor, action):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if actor.role in WHOLE_ORGANISATION_ROLES:
            return scoped
        return scoped.filter(self.own(actor, group_lookup))


group_policy = GroupPolicy()
