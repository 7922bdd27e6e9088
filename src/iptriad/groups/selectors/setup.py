"""Reads for the set-up pages and the facilitator's home: the groups an actor may see, one group's page, the choices
the set-up forms offer. Each is a fixed number of queries whatever the number of groups, members or sessions."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import CLINICIAN_ROLES, Role, User
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.clients.selectors import client_list
from iptriad.core.groups import ATTENDED, FORMATS
from iptriad.groups.models import (
    ACTIVE_MEMBER_STATUSES,
    Group,
    GroupMember,
    GroupSession,
    GroupStatus,
    GroupTemplate,
    MemberStatus,
    OutreachTask,
    ProgrammeSite,
    Referral,
)
from iptriad.groups.permissions import GroupAction, group_policy

LIST_LIMIT = 500
CLIENT_CHOICES_LIMIT = 200
# The statuses the list may be filtered by; anything else shows every group, never reaches the query.
LIST_STATUSES: dict[str, tuple[str, ...]] = {
    "open": (GroupStatus.FORMING, GroupStatus.RUNNING),
    "forming": (GroupStatus.FORMING,),
    "running": (GroupStatus.RUNNING,),
    "closed": (GroupStatus.CLOSED,),
}
LEADER_ROLES = (Role.FACILITATOR, Role.THERAPIST, Role.SUPERVISOR)


def _count(queryset: QuerySet[Any], outer: str = "group") -> Coalesce:
    """A correlated count, so several counts on one row never multiply each other through joins."""
    counted = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _with_counts(groups: QuerySet[Group], *, run: bool) -> QuerySet[Group]:
    groups = groups.annotate(active_members=_count(GroupMember.objects.filter(status__in=ACTIVE_MEMBER_STATUSES)))
    if run:
        held = GroupMember.objects.filter(
            status__in=ACTIVE_MEMBER_STATUSES, held_since__isnull=False, cleared_at__isnull=True
        )
        groups = groups.annotate(
            held_members=_count(held),
            open_outreach=_count(OutreachTask.objects.filter(done_at__isnull=True), outer="member__group"),
        )
    return groups


def _with_next_session(groups: QuerySet[Group]) -> QuerySet[Group]:
    """Each group's sessions not yet held, in order, in one more query: the first is its next session."""
    return groups.prefetch_related(
        Prefetch(
            "sessions",
            queryset=GroupSession.objects.filter(held_on__isnull=True).order_by("number"),
            to_attr="unheld_sessions",
        )
    )


def next_session(group: Group) -> GroupSession | None:
    unheld: list[GroupSession] = getattr(group, "unheld_sessions", [])
    return unheld[0] if unheld else None


def session_label(session: GroupSession, sessions_planned: int) -> str:
    """'Session 3 of 8, middle phase, planned Tue 8 Dec'."""
    return (
        f"Session {session.number} of {sessions_planned}, {session.get_phase_display().lower()} phase, "
        f"planned {session.planned_on:%a} {session.planned_on.day} {session.planned_on:%b}"
    )


@dataclasses.dataclass(frozen=True)
class GroupRow:
    group: Group
    next_session: GroupSession | None
    next_label: str
    active_members: int
    held_members: int | None  # None: the actor does not run groups, so sees no held counts
    open_outreach: int | None


def group_rows(groups: Sequence[Group], *, run: bool) -> list[GroupRow]:
    rows = []
    for group in groups:
        upcoming = next_session(group)
        rows.append(
            GroupRow(
                group=group,
                next_session=upcoming,
                next_label=session_label(upcoming, group.sessions_planned) if upcoming else "All sessions held",
                active_members=getattr(group, "active_members", 0),
                held_members=getattr(group, "held_members", None) if run else None,
                open_outreach=getattr(group, "open_outreach", None) if run else None,
            )
        )
    return rows


def group_list(*, actor: Actor, site_id: int | None = None, status: str = "") -> list[GroupRow]:
    """The groups the actor may see, open first then closed: two queries whatever their number."""
    groups = group_policy.scope(actor, GroupAction.VIEW, Group.objects.all())
    if site_id is not None:
        groups = groups.filter(site_id=site_id)
    if status in LIST_STATUSES:
        groups = groups.filter(status__in=LIST_STATUSES[status])
    run = group_policy.allows(actor, GroupAction.RUN)
    groups = _with_next_session(_with_counts(groups, run=run))
    groups = groups.select_related("site", "facilitator", "co_facilitator", "supervisor").annotate(
        closed_last=Case(When(status=GroupStatus.CLOSED, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    ordered = groups.order_by("closed_last", "-starts_on", "name", "pk")[:LIST_LIMIT]
    return group_rows(list(ordered), run=run)


def sites_of(actor: Actor) -> QuerySet[ProgrammeSite]:
    return ProgrammeSite.objects.filter(organisation_id=actor.organisation.pk).order_by("name", "pk")


def site_get(*, actor: Actor, site_id: int) -> ProgrammeSite:
    """The organisation's site to a role that sets groups up, else 404: sites are set-up records, and to the other
    roles a site's page does not exist (as another organisation's)."""
    if not group_policy.allows(actor, GroupAction.MANAGE):
        raise Http404("No such site.")
    return get_object_or_404(sites_of(actor), pk=site_id)


def sites_with_counts(actor: Actor) -> QuerySet[ProgrammeSite]:
    return sites_of(actor).annotate(
        group_count=_count(Group.objects.all(), outer="site"),
        open_group_count=_count(Group.objects.exclude(status=GroupStatus.CLOSED), outer="site"),
    )


def group_get(*, actor: Actor, group_id: int, action: GroupAction = GroupAction.VIEW) -> Group:
    """The group if the actor may do `action` with it, else 404: a foreign and a missing group look alike."""
    groups = Group.objects.select_related("site", "facilitator", "co_facilitator", "supervisor")
    return get_object_or_404(group_policy.scope(actor, action, groups), pk=group_id)


def member_get(*, actor: Actor, member_id: int, action: GroupAction) -> GroupMember:
    members = GroupMember.objects.select_related("client", "group")
    return get_object_or_404(group_policy.scope(actor, action, members, "group"), pk=member_id)


@dataclasses.dataclass(frozen=True)
class MemberRow:
    member: GroupMember
    attended: int
    held: bool  # shown only to the roles who run groups


@dataclasses.dataclass(frozen=True)
class GroupPage:
    group: Group
    sessions: list[GroupSession]
    members: list[MemberRow]
    active_members: int
    open_outreach: int
    open_referrals: int
    show_held: bool
    may_manage: bool
    may_run: bool


def group_page(*, actor: Actor, group: Group) -> GroupPage:
    """The group's page: schedule, members with their attendance so far, open tasks. Five queries (the group read
    before, and the audit record after, are the view's), whatever the number of members and sessions."""
    sessions = list(GroupSession.objects.filter(group=group).order_by("number"))
    members = list(
        GroupMember.objects.filter(group=group)
        .select_related("client")
        .annotate(attended=Count("attendance", filter=Q(attendance__status__in=[str(a) for a in ATTENDED])))
    )
    open_outreach = OutreachTask.objects.filter(member__group=group, done_at__isnull=True).count()
    open_referrals = Referral.objects.filter(member__group=group, followed_up_at__isnull=True).count()
    show_held = group_policy.allows(actor, GroupAction.RUN)
    rows = [
        MemberRow(member=member, attended=getattr(member, "attended", 0), held=show_held and member.is_held)
        for member in members
    ]
    rows.sort(key=lambda row: (not row.member.is_active, row.member.client.family_name, row.member.client.given_name))
    return GroupPage(
        group=group,
        sessions=sessions,
        members=rows,
        active_members=sum(1 for row in rows if row.member.is_active),
        open_outreach=open_outreach,
        open_referrals=open_referrals,
        show_held=show_held,
        may_manage=group_policy.allows(actor, GroupAction.MANAGE),
        may_run=group_policy.allows(actor, GroupAction.RUN),
    )


def group_viewed(*, actor: Actor, group: Group) -> None:
    audit_record(actor=actor, action=AuditAction.GROUP_VIEWED, obj=group)


# --- What the set-up forms offer ----------------------------------------------------------------------------------


def leaders_of(actor: Actor) -> QuerySet[User]:
    """Who may lead a group: active facilitators, therapists and supervisors of the organisation."""
    return _members_with_roles(actor, LEADER_ROLES)


def clinicians_of(actor: Actor) -> QuerySet[User]:
    """Who may be a group's supervising clinician: active therapists and supervisors."""
    return _members_with_roles(actor, tuple(CLINICIAN_ROLES))


def _members_with_roles(actor: Actor, roles: Sequence[str]) -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=actor.organisation.pk,
            memberships__is_active=True,
            memberships__role__in=roles,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def templates_of(actor: Actor) -> QuerySet[GroupTemplate]:
    return GroupTemplate.objects.filter(organisation_id=actor.organisation.pk).order_by("name", "pk")


def shipped_format_sources() -> dict[str, str]:
    return {shipped.code: shipped.source for shipped in FORMATS}


def clients_to_add(*, actor: Actor, query: str = "") -> list[Client]:
    """Active clients the actor may see who are not in (or awaiting) a group: those matching the search, or else
    the most recently registered, at most 200."""
    in_a_group = GroupMember.objects.filter(status__in=ACTIVE_MEMBER_STATUSES).values("client_id")
    clients = client_list(actor=actor, query=query).exclude(pk__in=in_a_group)
    if not query.strip():
        clients = clients.order_by("-pk")
    return list(clients[:CLIENT_CHOICES_LIMIT])


def transfer_targets(*, actor: Actor, member: GroupMember) -> QuerySet[Group]:
    """Other open groups the actor may set up, with their member counts."""
    groups = group_policy.scope(actor, GroupAction.MANAGE, Group.objects.open()).exclude(pk=member.group_id)
    return _with_counts(groups, run=False).order_by("name", "pk")


# --- Home pages ----------------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class FacilitatorHome:
    groups: list[GroupRow]
    outreach: list[OutreachTask]
    held: list[GroupMember]
    awaiting: list[GroupMember]  # a pre-group meeting to hold, or a decision to record


def facilitator_home(actor: Actor) -> FacilitatorHome:
    """The groups the facilitator leads or co-leads, open, with their next session; what to do between sessions.
    Four queries whatever the number of groups, members and tasks."""
    mine = Group.objects.open().filter(organisation_id=actor.organisation.pk).filter(group_policy.own(actor))
    if actor.role != Role.FACILITATOR:  # own() means "supervised" for the other roles; the home is the leader's
        mine = mine.filter(Q(facilitator_id=actor.user_id) | Q(co_facilitator_id=actor.user_id))
    groups = list(_with_next_session(_with_counts(mine, run=True)).select_related("site").order_by("starts_on", "pk"))
    group_ids = [group.pk for group in groups]
    outreach = list(
        OutreachTask.objects.filter(
            member__group_id__in=group_ids,
            done_at__isnull=True,
            member__status__in=ACTIVE_MEMBER_STATUSES,
        )
        .select_related("member__client", "member__group", "session")
        .order_by("opened_at", "pk")
    )
    # Held members and those awaiting their pre-group meeting or decision, in one query.
    attention = list(
        GroupMember.objects.filter(group_id__in=group_ids, status__in=ACTIVE_MEMBER_STATUSES)
        .filter(Q(status=MemberStatus.SCREENING) | Q(held_since__isnull=False, cleared_at__isnull=True))
        .select_related("client", "group")
        .order_by("added_at", "pk")
    )
    held = [member for member in attention if member.is_held]
    awaiting = [member for member in attention if member.status == MemberStatus.SCREENING and not member.is_held]
    return FacilitatorHome(groups=group_rows(groups, run=True), outreach=outreach, held=held, awaiting=awaiting)


def open_groups_seen(actor: Actor) -> QuerySet[Group]:
    """The open groups the actor may see (a therapist: those they supervise), for a count on a home page."""
    return group_policy.scope(actor, GroupAction.VIEW, Group.objects.open())
