"""Who may do what with the supervision log.

| what                                              | admin | supervisor | therapist / facilitator                  |
|---------------------------------------------------|-------|------------|------------------------------------------|
| read the log and an entry                         | no    | all        | entries they attended; in other entries, |
|                                                   |       |            | only their own cases and their actions   |
| write and edit entries                            | no    | yes        | no                                       |
| mark an action done with its follow-up            | no    | all        | actions they own                         |

An administrator (who may be non-clinical staff) sees no clinical content, so no log at all. A therapist or
facilitator who attended a meeting heard every case discussed there and reads the whole entry; one whose case was
reviewed without them, or who was given an action, reads only that case and that action (`sees_whole_entry`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.supervision.models import ReviewedCase, SupervisionAction, SupervisionEntry

M = TypeVar("M", bound=Model)


class LogAction(StrEnum):
    READ = "read"  # the log, an entry, a case's log on its record
    WRITE = "write"  # log a meeting, edit it
    FOLLOW_UP = "follow_up"  # mark an action done with its follow-up note


ROLE_ACTIONS: dict[Role, frozenset[LogAction]] = {
    Role.ADMIN: frozenset(),
    Role.SUPERVISOR: frozenset(LogAction),
    Role.THERAPIST: frozenset({LogAction.READ, LogAction.FOLLOW_UP}),
    Role.FACILITATOR: frozenset({LogAction.READ, LogAction.FOLLOW_UP}),
}
# Who may attend a meeting, own an action or have a case reviewed: the clinical roles.
CLINICAL_ROLES = frozenset({Role.SUPERVISOR, Role.THERAPIST, Role.FACILITATOR})


class SupervisionPolicy:
    """Entries, their cases and their actions; every row carries `organisation`."""

    def allows(self, actor: Actor, action: LogAction) -> bool:
        return action in ROLE_ACTIONS[actor.role]

    def whole_organisation(self, actor: Actor) -> bool:
        return actor.role == Role.SUPERVISOR

    def entries(
        self, actor: Actor, action: LogAction, queryset: QuerySet[SupervisionEntry]
    ) -> QuerySet[SupervisionEntry]:
        if not self.allows(actor, action):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if self.whole_organisation(actor):
            return scoped
        if action != LogAction.READ:
            return scoped.none()
        user_id = actor.member().pk
        # Exists rather than joins: one row per entry, however many cases and actions match.
        attended = SupervisionEntry.attendees.through.objects.filter(
            supervisionentry_id=OuterRef("pk"), user_id=user_id
        )
        own_case = ReviewedCase.objects.filter(entry_id=OuterRef("pk"), clinician_id=user_id)
        own_action = SupervisionAction.objects.filter(entry_id=OuterRef("pk"), owner_id=user_id)
        return scoped.filter(Exists(attended) | Exists(own_case) | Exists(own_action))

    def sees_whole_entry(self, actor: Actor, entry: SupervisionEntry, attendee_ids: set[int]) -> bool:
        return self.whole_organisation(actor) or entry.led_by_id == actor.user_id or actor.user_id in attendee_ids

    def actions(
        self, actor: Actor, action: LogAction, queryset: QuerySet[SupervisionAction]
    ) -> QuerySet[SupervisionAction]:
        """Actions to follow up: a supervisor's whole organisation, anyone else's own."""
        if not self.allows(actor, action):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if self.whole_organisation(actor):
            return scoped
        return scoped.filter(Q(owner_id=actor.user_id))


supervision_policy = SupervisionPolicy()
