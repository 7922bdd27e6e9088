"""What the not-on-track rules need of each treatment context, gathered for many contexts at once.

A treatment context is an IPT course or a client's episode in a group (its member rows share the context across a
transfer). `gather` reads nine queries whatever the number of contexts: the courses with their contracts, the course
sessions, the group members with their groups, their attendance, the administrations, the measure schedules, the
open alerts and the last supervisory review. Everything else is pure: iptriad.core.flags decides, this module only
turns rows into `CourseFacts`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from iptriad.core.flags import CourseFacts, Score
from iptriad.core.groups.attendance import ATTENDED, Attendance
from iptriad.core.schedules import WEEKLY_OVERDUE_DAYS, Cadence, SessionHeld
from iptriad.courses.models import Course, CourseSession
from iptriad.courses.models.sessions import Attendance as CourseAttendance
from iptriad.groups.models import GroupMember, SessionAttendance
from iptriad.measures.due import due_at_next_session
from iptriad.measures.models import Administration, MeasureSchedule, RiskAlert
from iptriad.supervision.models import ReviewedCase, SupervisionEntry

PHQ9 = "phq9"  # the only instrument the rules read (iptriad.core.flags)
KIND_COURSE = "course"
KIND_GROUP = "group"


@dataclass(frozen=True)
class ContextFacts:
    """One treatment context as the store keeps it: whose it is, whether it is still running, and its facts."""

    context_id: int
    organisation_id: int
    client_id: int
    kind: str
    clinician_id: int
    active: bool
    facts: CourseFacts


@dataclass
class _Frame:
    """What one context's owner (a course or a group episode) says before the measures are read."""

    organisation_id: int
    client_id: int
    kind: str
    clinician_id: int
    active: bool
    started_on: dt.date
    sessions_planned: int | None
    sessions: list[SessionHeld]
    missed_in_a_row: int


def gather(context_ids: Collection[int], *, today: dt.date | None = None) -> dict[int, ContextFacts]:
    """The facts of each context (by id) that is a course or a group episode; other ids are left out."""
    today = today or timezone.localdate()
    ids = list(context_ids)
    if not ids:
        return {}
    frames = {**_course_frames(ids), **_group_frames(ids)}
    if not frames:
        return {}
    found = list(frames)
    administrations: dict[int, list[Administration]] = defaultdict(list)
    for administration in (
        Administration.objects.filter(context_id__in=found)
        .only("context_id", "instrument_code", "occasion_id", "completed_at", "total", "valid")
        .order_by("completed_at", "pk")
    ):
        administrations[administration.context_id].append(administration)  # type: ignore[index]  # filtered above
    schedules: dict[int, list[MeasureSchedule]] = defaultdict(list)
    for schedule in MeasureSchedule.objects.filter(context_id__in=found, active=True).only(
        "context_id", "instrument_code", "cadence", "every_n", "active"
    ):
        schedules[schedule.context_id].append(schedule)
    open_alert: set[int] = set()
    unacknowledged: set[int] = set()
    for context_id, acknowledged_at in RiskAlert.objects.filter(
        context_id__in=found, closed_at__isnull=True
    ).values_list("context_id", "acknowledged_at"):
        open_alert.add(context_id)
        if acknowledged_at is None:
            unacknowledged.add(context_id)
    last_review = dict(
        ReviewedCase.objects.filter(treatment_context_id__in=found)
        .values("treatment_context_id")
        .annotate(last=Max("entry__held_on"))
        .values_list("treatment_context_id", "last")
    )
    met = _facilitators_last_meeting({frame.clinician_id for frame in frames.values() if frame.kind == KIND_GROUP})
    gathered: dict[int, ContextFacts] = {}
    for context_id, frame in frames.items():
        given = administrations[context_id]
        due = due_at_next_session(
            schedules=schedules[context_id],
            sessions=frame.sessions,
            sessions_planned=frame.sessions_planned,
            administrations=given,
            today=today,
        )
        facts = CourseFacts(
            started_on=frame.started_on,
            phq9=_phq9(given, frame.started_on),
            sessions_planned=frame.sessions_planned,
            sessions_attended=sum(1 for session in frame.sessions if session.attended),
            missed_in_a_row=frame.missed_in_a_row,
            overdue_measures=sum(1 for measure in due.measures if measure.overdue),
            open_alert=context_id in open_alert,
            unacknowledged_alert=context_id in unacknowledged,
            last_review_on=_latest(
                last_review.get(context_id), met.get(frame.clinician_id) if frame.kind == KIND_GROUP else None
            ),
            measures_overdue_on=_weekly_overdue_on(schedules[context_id], given, today),
        )
        gathered[context_id] = ContextFacts(
            context_id=context_id,
            organisation_id=frame.organisation_id,
            client_id=frame.client_id,
            kind=frame.kind,
            clinician_id=frame.clinician_id,
            active=frame.active,
            facts=facts,
        )
    return gathered


def _course_frames(ids: list[int]) -> dict[int, _Frame]:
    """Two queries: the courses (with their contracts) and all their sessions."""
    courses = list(
        Course.objects.filter(treatment_context_id__in=ids)
        .select_related("contract")
        .only(
            "organisation_id",
            "client_id",
            "therapist_id",
            "treatment_context_id",
            "phase",
            "opened_on",
            "contract__sessions_planned",
        )
    )
    sessions: dict[int, list[CourseSession]] = defaultdict(list)
    for session in (
        CourseSession.objects.filter(course__in=courses)
        .only("course_id", "occasion_id", "number", "held_on", "attendance")
        .order_by("number")
    ):
        sessions[session.course_id].append(session)
    frames: dict[int, _Frame] = {}
    for course in courses:
        contract = getattr(course, "contract", None)
        held = sessions[course.pk]
        frames[course.treatment_context_id] = _Frame(
            organisation_id=course.organisation_id,
            client_id=course.client_id,
            kind=KIND_COURSE,
            clinician_id=course.therapist_id,
            active=course.is_open,
            started_on=course.opened_on,
            sessions_planned=contract.sessions_planned if contract is not None else None,
            sessions=[
                SessionHeld(
                    occasion=session.occasion_id,
                    number=session.number,
                    held_on=session.held_on,
                    attended=session.attendance == CourseAttendance.ATTENDED,
                )
                for session in held
            ],
            # A no-show counts; a cancelled session is neither missed nor attended (the therapist may have cancelled).
            missed_in_a_row=_trailing(
                [session.attendance for session in held], CourseAttendance.NO_SHOW, {CourseAttendance.CANCELLED}
            ),
        )
    return frames


def _facilitators_last_meeting(facilitators: set[int]) -> dict[int, dt.date]:
    """The last supervision meeting each facilitator attended, in one query. Group IPT is supervised group by group,
    not member by member (lay facilitators' weekly supervision, programmes.md §2): a meeting the facilitator attended
    reviews their members, as a case reviewed by name does."""
    if not facilitators:
        return {}
    return dict(
        SupervisionEntry.objects.filter(attendees__in=facilitators)
        .values("attendees")
        .annotate(last=Max("held_on"))
        .values_list("attendees", "last")
    )


def _latest(*days: dt.date | None) -> dt.date | None:
    return max((day for day in days if day is not None), default=None)


def _group_frames(ids: list[int]) -> dict[int, _Frame]:
    """Two queries: the member rows of each episode (with their groups) and their attendance."""
    members: dict[int, list[GroupMember]] = defaultdict(list)
    for member in (
        GroupMember.objects.filter(treatment_context_id__in=ids)
        .select_related("group")
        .only(
            "organisation_id",
            "client_id",
            "treatment_context_id",
            "status",
            "added_at",
            "transferred_to",
            "group__facilitator_id",
            "group__sessions_planned",
            "group__starts_on",
        )
        .order_by("added_at", "pk")
    ):
        members[member.treatment_context_id].append(member)
    if not members:
        return {}
    attendance: dict[int, list[SessionAttendance]] = defaultdict(list)
    for row in (
        SessionAttendance.objects.filter(member__treatment_context_id__in=list(members))
        .select_related("session", "member")
        .only(
            "status",
            "occasion_id",
            "member__treatment_context_id",
            "session__number",
            "session__held_on",
            "session__planned_on",
        )
        .order_by("session__planned_on", "session__number", "pk")
    ):
        attendance[row.member.treatment_context_id].append(row)
    frames: dict[int, _Frame] = {}
    for context_id, rows in members.items():
        first = rows[0]
        current = next((row for row in rows if row.transferred_to_id is None), rows[-1])
        attended = attendance[context_id]
        # Weeks count from the first group's start, or from the member's first session when they joined later.
        started_on = first.group.starts_on
        if attended:
            started_on = max(started_on, attended[0].session.held_on or attended[0].session.planned_on)
        frames[context_id] = _Frame(
            organisation_id=current.organisation_id,
            client_id=current.client_id,
            kind=KIND_GROUP,
            clinician_id=current.group.facilitator_id,
            active=current.is_active,
            started_on=started_on,
            sessions_planned=current.group.sessions_planned,
            sessions=[
                SessionHeld(
                    occasion=row.occasion_id,
                    number=position,  # across a transfer, the episode's own count
                    held_on=row.session.held_on or row.session.planned_on,
                    attended=row.status in ATTENDED,
                )
                for position, row in enumerate(attended, start=1)
            ],
            # Absent without word counts (as for outreach, iptriad.core.groups); excused is neither.
            missed_in_a_row=_trailing([row.status for row in attended], Attendance.ABSENT, {Attendance.EXCUSED}),
        )
    return frames


def _trailing(statuses: Sequence[str], missed: str, neutral: Collection[str]) -> int:
    """How many sessions were missed in a row at the end, skipping the neutral ones."""
    count = 0
    for status in reversed(statuses):
        if status in neutral:
            continue
        if status != missed:
            break
        count += 1
    return count


def _phq9(administrations: Sequence[Administration], started_on: dt.date) -> list[Score]:
    """Valid PHQ-9 totals in time order, each at its week since the start (a screening before it is week 0)."""
    return [
        Score(
            week=max((timezone.localdate(administration.completed_at) - started_on).days // 7, 0),
            total=int(administration.total),
        )
        for administration in administrations
        if administration.instrument_code == PHQ9 and administration.valid and administration.total is not None
    ]


def _weekly_overdue_on(
    schedules: Sequence[MeasureSchedule], administrations: Sequence[Administration], today: dt.date
) -> dt.date | None:
    """The first day after today on which a weekly measure given before becomes overdue (iptriad.core.schedules)."""
    days: list[dt.date] = []
    for schedule in schedules:
        if schedule.cadence != Cadence.WEEKLY:
            continue
        given = [
            timezone.localdate(administration.completed_at)
            for administration in administrations
            if administration.instrument_code == schedule.instrument_code
        ]
        if given:
            overdue_on = max(given) + dt.timedelta(days=WEEKLY_OVERDUE_DAYS)
            if overdue_on > today:
                days.append(overdue_on)
    return min(days, default=None)
