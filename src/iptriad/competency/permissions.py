"""Who may do what with competency records.

| what                                                  | admin | supervisor | therapist   | facilitator |
|-------------------------------------------------------|-------|------------|-------------|-------------|
| the team's overview                                   | yes   | yes        | no          | no          |
| a person's record (training, certifications)          | all   | all        | their own   | their own   |
| add, change, remove training and certifications       | yes   | yes        | no          | no          |
| the organisation's refresher interval                 | yes   | yes        | no          | no          |
| the fidelity ratings on a record                      | no    | all        | their own   | their own   |

The people with a record are the organisation's active supervisors, therapists and facilitators: those who deliver
IPT or supervise it. Fidelity ratings are ratings of clinical sessions (their notes are encrypted like the session
notes they rate), so an administrator, who may be non-clinical staff and sees no clinical content elsewhere (the
groups and courses policies), does not see them: they keep the training and certification records only.
A therapist or facilitator reads their own record and changes nothing, so no one certifies themselves.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from django.db.models import Model, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Role, User

M = TypeVar("M", bound=Model)

# The roles whose members have a competency record.
RECORD_ROLES = (Role.SUPERVISOR, Role.THERAPIST, Role.FACILITATOR)


class CompetencyAction(StrEnum):
    TEAM = "team"  # the overview of everyone's record
    VIEW = "view"  # one person's record
    MANAGE = "manage"  # training and certifications: add, change, remove; the refresher interval
    RATINGS = "ratings"  # the fidelity ratings of the person's sessions


ROLE_ACTIONS: dict[Role, frozenset[CompetencyAction]] = {
    Role.ADMIN: frozenset({CompetencyAction.TEAM, CompetencyAction.VIEW, CompetencyAction.MANAGE}),
    Role.SUPERVISOR: frozenset(CompetencyAction),
    Role.THERAPIST: frozenset({CompetencyAction.VIEW, CompetencyAction.RATINGS}),
    Role.FACILITATOR: frozenset({CompetencyAction.VIEW, CompetencyAction.RATINGS}),
}
WHOLE_ORGANISATION_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR})


class CompetencyPolicy:
    """Records reach their person through `person_lookup` ("" for the User model itself: the people with a record)."""

    def allows(self, actor: Actor, action: CompetencyAction) -> bool:
        return action in ROLE_ACTIONS[actor.role]

    def people(self, actor: Actor, action: CompetencyAction) -> QuerySet[User]:
        """The people whose record the actor may act on: active record-holding members of the organisation."""
        if not self.allows(actor, action):
            return User.objects.none()
        people = User.objects.filter(
            memberships__organisation_id=actor.organisation.pk,
            memberships__is_active=True,
            memberships__role__in=RECORD_ROLES,
        )
        if actor.role not in WHOLE_ORGANISATION_ROLES:
            people = people.filter(pk=actor.member().pk)
        return people

    def members(self, actor: Actor, action: CompetencyAction) -> QuerySet[Membership]:
        """The same people by their membership of the organisation, which is what the pages and the API address
        (a record belongs to a person in one organisation)."""
        if not self.allows(actor, action):
            return Membership.objects.none()
        members = Membership.objects.filter(
            organisation_id=actor.organisation.pk, is_active=True, role__in=RECORD_ROLES
        )
        if actor.role not in WHOLE_ORGANISATION_ROLES:
            members = members.filter(user_id=actor.member().pk)
        return members

    def scope(self, actor: Actor, action: CompetencyAction, queryset: QuerySet[M]) -> QuerySet[M]:
        """A record's rows (training, certifications) the actor may act on; a former member's rows stay reachable
        by the organisation's managers, so a record can be corrected after someone leaves."""
        if not self.allows(actor, action):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if actor.role in WHOLE_ORGANISATION_ROLES:
            return scoped
        return scoped.filter(person_id=actor.user_id)


competency_policy = CompetencyPolicy()
