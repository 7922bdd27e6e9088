"""Who may do what with fidelity ratings.

| what                                        | admin | supervisor | therapist               | facilitator           |
|---------------------------------------------|-------|------------|-------------------------|-----------------------|
| self-rate a session they led                | no    | yes        | their courses' sessions | their groups' sessions|
| rate someone else's session (the sample)    | no    | all        | no                      | no                    |
| see ratings and agreement                   | no    | all        | of their own sessions   | of their own sessions |
| define the forms, set the sampling rule     | no    | yes        | no                      | no                    |

A rating says how a session was delivered, next to the session's clinical record: administrators (who may be
non-clinical staff) see none of it, and do not set forms or sampling either, which are clinical judgements of the
supervisors (docs/decisions/0036-fidelity.md). "Led" is the course's therapist, or the group's facilitator or
co-facilitator.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from django.db.models import Model, Q, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role

M = TypeVar("M", bound=Model)


class FidelityAction(StrEnum):
    RATE_OWN = "rate_own"  # self-rate a session the actor led
    RATE_SAMPLE = "rate_sample"  # rate someone else's session as their supervisor
    VIEW = "view"  # ratings, agreement, the queue and reminders
    MANAGE = "manage"  # forms and the sampling rule


ROLE_ACTIONS: dict[Role, frozenset[FidelityAction]] = {
    Role.ADMIN: frozenset(),
    Role.SUPERVISOR: frozenset(FidelityAction),
    Role.THERAPIST: frozenset({FidelityAction.RATE_OWN, FidelityAction.VIEW}),
    Role.FACILITATOR: frozenset({FidelityAction.RATE_OWN, FidelityAction.VIEW}),
}


class FidelityPolicy:
    def allows(self, actor: Actor, action: FidelityAction) -> bool:
        return action in ROLE_ACTIONS[actor.role]

    def sees_everyone(self, actor: Actor) -> bool:
        return actor.role == Role.SUPERVISOR

    def scope_ratings(self, actor: Actor, queryset: QuerySet[M]) -> QuerySet[M]:
        """Ratings the actor may read: a supervisor's organisation's, anyone else's of the sessions they led."""
        if not self.allows(actor, FidelityAction.VIEW):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        return scoped if self.sees_everyone(actor) else scoped.filter(clinician_id=actor.user_id)

    def led_course_sessions(self, actor: Actor) -> Q:
        return Q(course__therapist_id=actor.user_id)

    def led_group_sessions(self, actor: Actor) -> Q:
        return Q(group__facilitator_id=actor.user_id) | Q(group__co_facilitator_id=actor.user_id)

    def scope_sessions(self, actor: Actor, queryset: QuerySet[M], *, group: bool) -> QuerySet[M]:
        """Sessions (course or group) the actor may rate: those they led, and for a supervisor every one."""
        if not (self.allows(actor, FidelityAction.RATE_OWN) or self.allows(actor, FidelityAction.RATE_SAMPLE)):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if self.allows(actor, FidelityAction.RATE_SAMPLE):
            return scoped
        return scoped.filter(self.led_group_sessions(actor) if group else self.led_course_sessions(actor))


fidelity_policy = FidelityPolicy()
