"""A course's measures, read through iptriad.measures: its sessions passed as data, its trajectories, its schedule
and what is due at its next session; scoped by the course policy, audited where scores are seen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import F, Model, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.courses.models import Course, CourseSession
from iptriad.courses.models.sessions import Attendance
from iptriad.courses.permissions import course_policy
from iptriad.courses.selectors.course import CaseloadRow
from iptriad.measures.due import ContextSessions, DueMeasure, SessionHeld, due_in_contexts
from iptriad.measures.models import MeasureSchedule
from iptriad.measures.selectors import context_schedules, context_trajectory
from iptriad.measures.trajectory import Trajectory, context_administrations, scores_of, trajectories

M = TypeVar("M", bound=Model)


def of_course(actor: Actor, rows: QuerySet[M], course: Course, action: Action = Action.VIEW) -> QuerySet[M]:
    """A measures query (administrations, schedules, links, alerts) narrowed to the course's context, and to nothing
    unless the actor may read the course: the course policy scopes measures read through a course, in a subquery
    (no query of its own)."""
    readable = course_policy.scope(actor, action, Course.objects.filter(pk=course.pk))
    # The context by equality too, not only through the subquery: without it SQLite's planner (no statistics) took
    # the organisation index and read every row of the organisation.
    return rows.filter(
        context_id=course.treatment_context_id,
        organisation_id=course.organisation_id,
    ).filter(context_id__in=readable.values("treatment_context_id"))


def sessions_held(sessions: Iterable[CourseSession]) -> list[SessionHeld]:
    """The course's sessions as measures reads them: the occasion its answers point at, number, date, attendance."""
    return [
        SessionHeld(
            occasion=session.occasion_id,
            number=session.number,
            held_on=session.held_on,
            attended=session.attendance == Attendance.ATTENDED,
        )
        for session in sessions
    ]


def _with_sessions(courses: QuerySet[Course]) -> tuple[Course, list[SessionHeld]] | None:
    """The one course of `courses` with its sessions, in one query: a row per session (a left join), each carrying
    the session's columns as annotations, so a page that needs both pays for one."""
    rows = list(
        courses.annotate(
            session_occasion=F("sessions__occasion_id"),
            session_number=F("sessions__number"),
            session_held_on=F("sessions__held_on"),
            session_attendance=F("sessions__attendance"),
        ).order_by("session_number")
    )
    if not rows:
        return None
    sessions = [
        SessionHeld(
            occasion=row.session_occasion,
            number=row.session_number,
            held_on=row.session_held_on,
            attended=row.session_attendance == Attendance.ATTENDED,
        )
        for row in rows
        if row.session_number is not None
    ]
    return rows[0], sessions


def course_for_measures(*, actor: Actor, course_id: int, action: Action = Action.VIEW) -> Course:
    """The course if the actor may work with it (its therapist, or a supervisor); otherwise 404."""
    courses = Course.objects.select_related("client", "organisation", "treatment_context")
    scoped = course_policy.scope(actor, action, courses)
    return get_object_or_404(scoped, pk=course_id)


@dataclass(frozen=True)
class CourseProgress:
    """A course with its trajectories, as the client's measures page shows the current (or latest) course."""

    course: Course
    trajectories: list[Trajectory]


def client_course_progress(*, actor: Actor, client: Client) -> CourseProgress | None:
    """The client's open course, else their latest one, if the actor may read it, with its trajectories: two
    queries (the course with its sessions, then its scores)."""
    courses = course_policy.scope(actor, Action.VIEW, Course.objects.filter(client=client))
    latest = courses.order_by(F("closed_on").desc(nulls_first=True), "-opened_on", "-pk").values("pk")[:1]
    found = _with_sessions(Course.objects.filter(pk=Subquery(latest)))
    if found is None:
        return None
    course, sessions = found
    administrations = context_administrations(
        context_id=course.treatment_context_id, organisation_id=course.organisation_id
    )
    return CourseProgress(course=course, trajectories=trajectories(scores_of(administrations, sessions)))


def course_trajectory_for_chart(*, actor: Actor, course_id: int, code: str) -> Trajectory:
    """One instrument's trajectory in a course, for its chart; a foreign course or an unknown instrument is a 404.
    Two queries and the audit event, whatever the number of sessions and scores."""
    courses = course_policy.scope(actor, Action.VIEW, Course.objects.filter(pk=course_id))
    found = _with_sessions(courses.select_related("treatment_context"))
    if found is None:
        raise Http404("No such course.")
    course, sessions = found
    trajectory = context_trajectory(context=course.treatment_context, code=code, sessions=sessions)
    audit_record(actor=actor, action=AuditAction.MEASURE_VIEWED, obj=course, detail={"instrument": trajectory.code})
    return trajectory


def course_schedules(*, course: Course) -> list[MeasureSchedule]:
    """The course's measure schedule, in use or not; call only with a course the actor may read."""
    return context_schedules(context=course.treatment_context)


def due_by_course(*, courses: Sequence[CaseloadRow], today: dt.date) -> dict[int, tuple[DueMeasure, ...]]:
    """What is due at the next session of each course, in three queries for the whole list (their sessions here,
    schedules and answers in measures)."""
    sessions = held_by_course([course.course_id for course in courses])
    contexts = {
        course.treatment_context_id: ContextSessions(
            sessions=sessions[course.course_id], sessions_planned=course.sessions_planned
        )
        for course in courses
    }
    due = due_in_contexts(contexts=contexts, today=today)
    return {course.course_id: due[course.treatment_context_id] for course in courses}


def held_by_course(course_ids: list[int]) -> dict[int, list[SessionHeld]]:
    """The sessions of each course as measures reads them, in one query of plain rows (no model instances: a
    caseload has hundreds of sessions)."""
    held: dict[int, list[SessionHeld]] = {course_id: [] for course_id in course_ids}
    rows = CourseSession.objects.filter(course_id__in=course_ids).values_list(
        "course_id", "occasion_id", "number", "held_on", "attendance"
    )
    for course_id, occasion, number, held_on, attendance in rows:
        held[course_id].append(
            SessionHeld(occasion=occasion, number=number, held_on=held_on, attended=attendance == Attendance.ATTENDED)
        )
    return held
