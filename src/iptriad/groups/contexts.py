"""A group membership as a treatment context of iptriad.measures: the member's screening questionnaire and symptom
checks, and any risk alert they raise, belong to it.

Registered by GroupsConfig.ready(); see iptriad.measures.contexts for the interface. The supervising clinician of
the member's group is responsible for what arises (and is told of an alert at once); the facilitators record in the
group's sessions without seeing the client's other records. Group members' checks are taken in the session, so no
scheduled self-report link is planned for them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.dateformat import format as date_format

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import User
from iptriad.clients.models import Client
from iptriad.groups.models import GroupMember, GroupStatus, SessionAttendance
from iptriad.groups.permissions import GroupAction, group_policy
from iptriad.measures.contexts import OccasionChoice, PlannedSession
from iptriad.measures.models import TreatmentContext

GROUP = "group"


def _open_members() -> QuerySet[GroupMember]:
    return GroupMember.objects.active().exclude(group__status=GroupStatus.CLOSED)


class GroupContexts:
    kind = GROUP

    def treating(self, actor: Actor) -> QuerySet[Any]:
        # The supervising clinician treats the members of the open groups they supervise.
        return _open_members().filter(organisation_id=actor.organisation.pk, group__supervisor_id=actor.user_id)

    def open_context_ids(self, client_ids: QuerySet[Any] | list[int]) -> QuerySet[Any]:
        return _open_members().filter(client_id__in=client_ids).values_list("treatment_context_id", flat=True)

    def may_change(self, actor: Actor, context: TreatmentContext) -> bool:
        members = GroupMember.objects.filter(treatment_context_id=context.pk)
        return group_policy.scope(actor, GroupAction.CLEAR, members, "group").exists()

    def may_record(self, actor: Actor, context: TreatmentContext) -> bool:
        members = _open_members().filter(treatment_context_id=context.pk)
        return group_policy.scope(actor, GroupAction.RUN, members, "group").exists()

    def occasion_for(self, actor: Actor, client: Client, occasion_id: int) -> OccasionChoice | None:
        rows = SessionAttendance.objects.filter(occasion_id=occasion_id, member__client=client)
        row = (
            group_policy.scope(actor, GroupAction.RUN, rows, "member__group")
            .select_related("occasion__context", "session__group")
            .first()
        )
        if row is None:
            return None
        when = date_format(row.session.held_on or row.session.planned_on, "j M Y")
        return OccasionChoice(
            occasion=row.occasion, label=f"session {row.session.number} of group {row.session.group.name} ({when})"
        )

    def responsible(self, context: TreatmentContext) -> QuerySet[User]:
        members = GroupMember.objects.filter(treatment_context_id=context.pk)
        active = members.filter(status__in=("screening", "joined"))
        chosen = active if active.exists() else members
        return User.objects.filter(pk__in=chosen.values("group__supervisor_id"))

    def responsible_for(self, actor: Actor) -> QuerySet[Any]:
        members = GroupMember.objects.filter(organisation_id=actor.organisation.pk, group__supervisor_id=actor.user_id)
        return members.values_list("treatment_context_id", flat=True)

    def next_session(self, context: TreatmentContext) -> dt.datetime | None:
        return None  # checks are taken in the group's session, not sent as links

    def planned_sessions(self, *, start: dt.datetime, end: dt.datetime) -> list[PlannedSession]:
        return []
