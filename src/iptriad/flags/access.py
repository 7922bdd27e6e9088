"""Who may read the stored not-on-track flags.

| what                                | admin | supervisor | therapist                        | facilitator          |
|-------------------------------------|-------|------------|----------------------------------|----------------------|
| a course's flags (course page, API) | no    | all        | their courses                    | no                   |
| a group member's flags (their page) | no    | all        | groups they supervise            | missed sessions only |
| the list of flagged cases (API)     | no    | all        | their courses, groups supervised | no                   |

Flags read scores and alerts: clinical matters, so an administrator (who may be non-clinical) sees none, as for
courses and group symptom checks. A lay facilitator sees only the flag that asks something of them, missed
sessions (the outreach they already do, ipt-protocol.md §7.5); the rules on scores call for the supervising
clinician's judgement, and an alert already holds the member with the steps a facilitator follows
(docs/decisions/0037-not-on-track-flags.md).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action
from iptriad.core.flags import FlagCode
from iptriad.courses.models import Course
from iptriad.flags.models import ContextFlags
from iptriad.groups.models import GroupMember

CLINICAL_ROLES = frozenset({Role.SUPERVISOR, Role.THERAPIST})
# What a facilitator may see of a member's flags on the member's page (and nothing through the API).
FACILITATOR_CODES = frozenset({FlagCode.MISSED_SESSIONS})


class FlagsPolicy:
    """Stored flags (`ContextFlags`), reached through the course or the group episode they describe."""

    def allows(self, actor: Actor, action: Action) -> bool:
        return actor.role in CLINICAL_ROLES and action in (Action.LIST, Action.VIEW)

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[ContextFlags]) -> QuerySet[ContextFlags]:
        if not self.allows(actor, action):
            return queryset.none()
        scoped = queryset.filter(organisation_id=actor.organisation.pk)
        if actor.role == Role.SUPERVISOR:
            return scoped
        # The courses and groups themselves say whose they are now (a stored row may lag a change of therapist).
        courses = Course.objects.filter(organisation_id=actor.organisation.pk, therapist_id=actor.user_id)
        members = GroupMember.objects.filter(organisation_id=actor.organisation.pk, group__supervisor_id=actor.user_id)
        return scoped.filter(
            Q(treatment_context_id__in=courses.values("treatment_context_id"))
            | Q(treatment_context_id__in=members.values("treatment_context_id"))
        )

    def codes_shown(self, actor: Actor) -> frozenset[FlagCode] | None:
        """On a group member's page: the codes this role sees (None: every one); admins see none."""
        if actor.role in CLINICAL_ROLES:
            return None
        if actor.role == Role.FACILITATOR:
            return FACILITATOR_CODES
        return frozenset()


flags_policy = FlagsPolicy()
