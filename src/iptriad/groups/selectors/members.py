"""What the pages about one member of a group show, read in a fixed number of queries whatever the number of sessions.

A member's page shows each role what it may see (iptriad.groups.permissions): everyone who may see the group gets
the name, contact and attendance; the clinical roles get the pre-group meeting, each session's symptom check and its
trajectory, risk flags, notes, referrals, outreach and the warning-signs plan.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.clients.models import Client
from iptriad.core.groups import ATTENDED, format_by_code
from iptriad.core.instruments import Instrument
from iptriad.core.protocol import Phase
from iptriad.groups.models import (
    ATTENDANCE_CHOICES,
    PROBLEM_AREA_CHOICES,
    GroupMember,
    GroupSession,
    MemberStatus,
    OutreachTask,
    Referral,
    SessionAttendance,
)
from iptriad.groups.permissions import WHOLE_ORGANISATION_ROLES, GroupAction, group_policy
from iptriad.measures.definitions import definitions
from iptriad.measures.models import Administration

ATTENDANCE_LABELS = dict(ATTENDANCE_CHOICES)
PROBLEM_AREA_LABELS = dict(PROBLEM_AREA_CHOICES)
PLAN_STATUSES = (MemberStatus.JOINED, MemberStatus.FINISHED)


def member_get(
    *, actor: Actor, member_id: int, action: GroupAction, annotate: dict[str, Any] | None = None
) -> GroupMember:
    """The member with their group, client and organisation; 404 when missing, foreign or outside the action.
    `annotate`: the member page's section flags (iptriad.web.sections)."""
    members = group_policy.scope(actor, action, GroupMember.objects.annotate(**(annotate or {})), "group")
    member = (
        members.select_related(
            "group__organisation", "group__supervisor", "client", "screening", "held_alert", "cleared_by"
        )
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise Http404("No such member.")
    return member


def referral_get(*, actor: Actor, referral_id: int, action: GroupAction) -> Referral:
    referrals = group_policy.scope(actor, action, Referral.objects.all(), "member__group")
    referral = referrals.select_related("member__group", "member__client", "made_by").filter(pk=referral_id).first()
    if referral is None:
        raise Http404("No such referral.")
    return referral


def outreach_get(*, actor: Actor, task_id: int, action: GroupAction) -> OutreachTask:
    tasks = group_policy.scope(actor, action, OutreachTask.objects.all(), "member__group")
    task = tasks.select_related("member__group", "member__client", "session").filter(pk=task_id).first()
    if task is None:
        raise Http404("No such outreach task.")
    return task


def missed_sessions(task: OutreachTask) -> list[GroupSession]:
    """The sessions the member missed without word, up to the one that opened the task (one query)."""
    rows = SessionAttendance.objects.filter(
        member_id=task.member_id, status="absent", session__number__lte=task.session.number
    ).select_related("session")
    return [row.session for row in rows.order_by("session__number")]


def entry_score_hint(format_code: str) -> int | None:
    """The format's screening entry score, a guide only (a programme's own format has none)."""
    try:
        return format_by_code(format_code).entry_score_at_least
    except KeyError:
        return None


# --- The member's page ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """A symptom check as the page shows it."""

    total: str  # "11", or "no valid total"
    band: str
    self_harm: bool  # a positive answer on a critical (self-harm) item


def _check(administration: Administration | None) -> Check | None:
    if administration is None:
        return None
    total = "no valid total" if administration.total is None else f"{administration.total.normalize():f}"
    return Check(total=total, band=administration.band, self_harm=bool(administration.critical_items))


@dataclass(frozen=True)
class TrailRow:
    number: int
    phase: str
    held_on: dt.date | None
    attendance: str  # the label, or "Not on the roster"
    made_up_on: dt.date | None
    check: Check | None
    risk_flag: bool
    note: str


@dataclass(frozen=True)
class ChartPoint:
    x: int
    y: int
    label: str  # "Pre-group" or "S3"
    value: str
    self_harm: bool


@dataclass(frozen=True)
class ChartTick:
    y: int
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[ChartPoint]
    ticks: list[ChartTick]
    polyline: str
    description: str  # the chart in words, for a screen reader
    left: int
    right: int
    bottom: int


CHART_WIDTH, CHART_HEIGHT = 340, 200
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 44, 16, 20, 36


def _chart(definition: Instrument | None, scores: list[tuple[str, Decimal, bool]]) -> Chart | None:
    """A small line of the member's totals, with each point's value written beside it: readable without colour."""
    if definition is None or not scores:
        return None
    low, high = definition.score_range
    span = (high - low) or 1
    plot_width = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    plot_height = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    step = plot_width / max(len(scores) - 1, 1)

    def y_of(value: float) -> int:
        return round(CHART_TOP + plot_height * (1 - (value - low) / span))

    points = []
    for index, (label, total, self_harm) in enumerate(scores):
        x = round(CHART_LEFT + (step * index if len(scores) > 1 else plot_width / 2))
        points.append(ChartPoint(x, y_of(float(total)), label, f"{total.normalize():f}", self_harm))
    ticks = [
        ChartTick(y_of(value), f"{value:g}")
        for value in sorted({low, high, *(band.lower for band in definition.bands)})
        if low <= value <= high
    ]
    words = ", ".join(f"{point.label}: {point.value}" for point in points)
    return Chart(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        points=points,
        ticks=ticks,
        polyline=" ".join(f"{point.x},{point.y}" for point in points),
        description=f"{definition.short_name} totals, {low:g} to {high:g}, higher is worse: {words}.",
        left=CHART_LEFT,
        right=CHART_WIDTH - CHART_RIGHT,
        bottom=CHART_HEIGHT - CHART_BOTTOM,
    )


@dataclass
class MemberPage:
    member: GroupMember
    clinical: bool
    may_run: bool
    may_clear: bool
    attended: int
    held_sessions: int
    trail: list[TrailRow]
    screening: Check | None = None
    problem_area: str = ""
    chart: Chart | None = None
    referrals: list[Referral] = field(default_factory=list)
    outreach: list[OutreachTask] = field(default_factory=list)
    plan_offered: bool = False


def member_page(*, actor: Actor, member: GroupMember) -> MemberPage:
    """Three queries (sessions, the member's attendance with checks) for everyone; two more for the clinical roles."""
    group = member.group
    clinical = group_policy.allows(actor, GroupAction.CLINICAL)
    sessions = list(GroupSession.objects.filter(group_id=group.pk).order_by("number"))
    attendance = SessionAttendance.objects.filter(member_id=member.pk).select_related("symptom_check")
    rows = {row.session_id: row for row in attendance}
    held = [session for session in sessions if session.held_on is not None]
    trail = []
    for session in held:
        row = rows.get(session.pk)
        trail.append(
            TrailRow(
                number=session.number,
                phase=session.get_phase_display(),
                held_on=session.held_on,
                attendance=ATTENDANCE_LABELS.get(row.status, row.status) if row else "Not on the roster",
                made_up_on=row.made_up_on if row else None,
                check=_check(row.symptom_check) if clinical and row else None,
                risk_flag=bool(clinical and row and row.risk_flag),
                note=row.note if clinical and row else "",
            )
        )
    page = MemberPage(
        member=member,
        clinical=clinical,
        may_run=group_policy.allows(actor, GroupAction.RUN),
        may_clear=group_policy.allows(actor, GroupAction.CLEAR),
        attended=sum(1 for row in rows.values() if row.status in ATTENDED),
        held_sessions=len(held),
        trail=trail,
    )
    if not clinical:
        return page
    page.screening = _check(member.screening)
    page.problem_area = PROBLEM_AREA_LABELS.get(member.problem_area, "")
    scores: list[tuple[str, Decimal, bool]] = []
    if member.screening is not None and member.screening.total is not None:
        scores.append(("Pre-group", member.screening.total, bool(member.screening.critical_items)))
    for session in held:
        row = rows.get(session.pk)
        if row and row.symptom_check is not None and row.symptom_check.total is not None:
            check = row.symptom_check
            scores.append((f"S{session.number}", check.total, bool(check.critical_items)))  # type: ignore[arg-type]
    page.chart = _chart(definitions().get(group.check_instrument), scores)
    page.referrals = list(Referral.objects.filter(member_id=member.pk).select_related("made_by", "followed_up_by"))
    page.outreach = list(OutreachTask.objects.filter(member_id=member.pk).select_related("session", "done_by"))
    today = timezone.localdate()
    termination_started = any(
        session.phase == Phase.TERMINATION.value and (session.held_on is not None or session.planned_on <= today)
        for session in sessions
    )
    page.plan_offered = member.status in PLAN_STATUSES and termination_started
    return page


# --- The client record page's section -----------------------------------------------------------------------------


def memberships_of_client(client: Client) -> QuerySet[GroupMember]:
    """Every membership of the client, newest first, with the sessions attended and held so far: one query."""
    attended = (
        SessionAttendance.objects.filter(member_id=OuterRef("pk"), status__in=[status.value for status in ATTENDED])
        .order_by()
        .values("member_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    held = (
        GroupSession.objects.filter(group_id=OuterRef("group_id"), held_on__isnull=False)
        .order_by()
        .values("group_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        GroupMember.objects.filter(organisation_id=client.organisation_id, client_id=client.pk)
        .select_related("group")
        .annotate(
            attended_count=Subquery(attended, output_field=IntegerField()),
            held_count=Subquery(held, output_field=IntegerField()),
        )
        .order_by("-added_at", "-pk")
    )


def client_group_rows(actor: Actor, client: Client) -> list[dict[str, Any]]:
    rows = []
    clinical = group_policy.allows(actor, GroupAction.CLINICAL)
    for member in memberships_of_client(client):
        rows.append(
            {
                "member": member,
                "attended": member.attended_count or 0,  # type: ignore[attr-defined]
                "held_sessions": member.held_count or 0,  # type: ignore[attr-defined]
                "held": clinical and member.is_held,
                "linked": _may_open(actor, member),
            }
        )
    return rows


def _may_open(actor: Actor, member: GroupMember) -> bool:
    """Whether the member's page opens for the actor, without a query: the same rule as group_policy.scope."""
    if not group_policy.allows(actor, GroupAction.VIEW):
        return False
    if actor.role in WHOLE_ORGANISATION_ROLES:
        return True
    group = member.group
    if actor.role == Role.FACILITATOR:
        return actor.user_id in (group.facilitator_id, group.co_facilitator_id)
    return actor.user_id == group.supervisor_id
