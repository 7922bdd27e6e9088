"""Who may work with IPT courses: the client's therapist and the organisation's supervisors.

Administrators (who may be non-clinical) and group facilitators do not see course content.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action

M = TypeVar("M", bound=Model)

CLINICAL_ROLES = frozenset({Role.THERAPIST, Role.SUPERVISOR})


class CoursePolicy:
    """Courses and every record in them (their rows have `course`, the course has `therapist`)."""

    def allows(self, actor: Actor, action: Action) -> bool:
        return actor.role in CLINICAL_ROLES and action in (Action.LIST, Action.VIEW, Action.CREATE, Action.UPDATE)

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[M]) -> QuerySet[M]:
        """Courses the actor may act on; a therapist's own courses (they run them), a supervisor's all."""
        if not self.allows(actor, action):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if actor.role == Role.SUPERVISOR:
            return scoped
        return scoped.filter(therapist_id=actor.user_id)

    def scope_records(self, actor: Actor, action: Action, queryset: QuerySet[M]) -> QuerySet[M]:
        """Records inside courses (inventory people, sessions, goals ...), through their course."""
        if not self.allows(actor, action):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if actor.role == Role.SUPERVISOR:
            return scoped
        return scoped.filter(course__therapist_id=actor.user_id)


course_policy = CoursePolicy()
