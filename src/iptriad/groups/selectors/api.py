"""Reads of group IPT for the JSON API: groups, members and a session's roster, scoped by the group policy (a foreign
or missing object is a 404) in a fixed number of queries whatever the group's size. Who may see clinical content
(symptom checks, goals, risk flags, notes) is `shows_clinical`; a read that shows it is audited."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.groups import ATTENDED
from iptriad.groups.models import (
    Group,
    GroupMember,
    GroupSession,
    GroupStatus,
    MemberStatus,
    OutreachTask,
    SessionAttendance,
)
from iptriad.groups.permissions import GroupAction, group_policy
from iptriad.measures.models import RiskAlert


def shows_clinical(actor: Actor) -> bool:
    """Within the groups an actor sees, a role with CLINICAL sees what was recorded (not an administrator)."""
    return group_policy.allows(actor, GroupAction.CLINICAL)


def groups_visible(*, actor: Actor, status: str = "open", site_id: int | None = None) -> QuerySet[Group]:
    groups = group_policy.scope(actor, GroupAction.VIEW, Group.objects.all())
    if status == "open":
        groups = groups.exclude(status=GroupStatus.CLOSED)
    elif status != "all":
        groups = groups.filter(status=status)
    if site_id is not None:
        groups = groups.filter(site_id=site_id)
    return groups.select_related("facilitator", "co_facilitator", "supervisor").order_by("-starts_on", "name", "pk")


def group_get(*, actor: Actor, group_id: int) -> Group:
    scoped = group_policy.scope(actor, GroupAction.VIEW, Group.objects.all())
    return get_object_or_404(scoped.select_related("facilitator", "co_facilitator", "supervisor"), pk=group_id)


def group_sessions(group: Group) -> list[GroupSession]:
    return list(GroupSession.objects.filter(group=group).order_by("number"))


def _members() -> QuerySet[GroupMember]:
    return GroupMember.objects.select_related("client", "screening").annotate(
        sessions_attended=Count("attendance", filter=Q(attendance__status__in=list(ATTENDED)))
    )


def members_of_group(*, actor: Actor, group: Group) -> list[GroupMember]:
    """Every member the group has had, by name; `sessions_attended` on each. Audited when clinical fields show."""
    members = list(_members().filter(group=group).order_by("client__family_name", "client__given_name", "pk"))
    if shows_clinical(actor):
        audit_record(
            actor=actor,
            action=AuditAction.GROUP_VIEWED,
            obj=group,
            detail={"members": [member.pk for member in members]},
        )
    return members


def member_get(*, actor: Actor, member_id: int) -> GroupMember:
    scoped = group_policy.scope(actor, GroupAction.VIEW, GroupMember.objects.all(), "group")
    return get_object_or_404(scoped.select_related("group", "client"), pk=member_id)


def member_get_for_view(*, actor: Actor, member_id: int) -> GroupMember:
    """One member with `sessions_attended`, audited when clinical fields show."""
    scoped = group_policy.scope(actor, GroupAction.VIEW, _members(), "group")
    member = get_object_or_404(scoped, pk=member_id)
    if shows_clinical(actor):
        audit_record(actor=actor, action=AuditAction.GROUP_VIEWED, obj=member, detail={"client": member.client_id})
    return member


def group_session_get(*, actor: Actor, session_id: int) -> GroupSession:
    scoped = group_policy.scope(actor, GroupAction.VIEW, GroupSession.objects.all(), "group")
    return get_object_or_404(scoped.select_related("group__supervisor"), pk=session_id)


@dataclass(frozen=True)
class RosterRow:
    member: GroupMember
    attendance: SessionAttendance | None


def roster_rows(*, actor: Actor, session: GroupSession, audit: bool = True) -> list[RosterRow]:
    """The members in the group now, and anyone recorded at this session who has left since, by name, each with
    their row of this session (if recorded) and its symptom check. Two queries."""
    recorded = {
        row.member_id: row for row in SessionAttendance.objects.filter(session=session).select_related("symptom_check")
    }
    members = (
        GroupMember.objects.filter(group_id=session.group_id)
        .filter(Q(status=MemberStatus.JOINED) | Q(pk__in=list(recorded)))
        .select_related("client")
        .order_by("client__family_name", "client__given_name", "pk")
    )
    rows = [RosterRow(member, recorded.get(member.pk)) for member in members]
    if audit and shows_clinical(actor):
        audit_record(
            actor=actor,
            action=AuditAction.GROUP_VIEWED,
            obj=session,
            detail={"group": session.group_id, "number": session.number},
        )
    return rows


def alerts_of_group(group_id: int) -> set[tuple[int, int]]:
    """(alert id, treatment context id) of every risk alert in the contexts of the group's members (one query):
    taken before and after a save, the difference is what the save opened."""
    contexts = GroupMember.objects.filter(group_id=group_id).values("treatment_context_id")
    rows = RiskAlert.objects.filter(context_id__in=contexts).values_list("pk", "context_id")
    return {(alert_id, context_id) for alert_id, context_id in rows if context_id is not None}


def members_with_open_outreach(session: GroupSession) -> set[int]:
    tasks = OutreachTask.objects.filter(member__group_id=session.group_id, done_at__isnull=True)
    return set(tasks.values_list("member_id", flat=True))
