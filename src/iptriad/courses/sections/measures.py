"""The course page section: the course's trajectories (charts, status, data tables) and what is due next session."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course
from iptriad.courses.selectors.course_page import CourseRecords, course_records
from iptriad.courses.selectors.measures import sessions_held
from iptriad.measures.due import DueMeasure, due_at_next_session
from iptriad.measures.trajectory import scores_of, trajectories

TITLE = "Measures"
TEMPLATE = "courses/sections/measures.html"
STYLESHEET = "iptriad/measures.css"


def context(actor: Actor, course: Course, records: CourseRecords | None = None) -> dict[str, Any]:
    """No query of its own: administrations, active schedule rows, sessions and contract of the page's reads."""
    records = records or course_records(actor=actor, course=course)
    sessions = sessions_held(records.sessions)
    next_session: int | None = None  # None when the course is closed: nothing is due any more
    due: tuple[DueMeasure, ...] = ()
    if course.is_open:
        contract = records.contract
        at_next = due_at_next_session(
            schedules=records.schedules,
            sessions=sessions,
            sessions_planned=contract.sessions_planned if contract is not None else None,
            administrations=records.administrations,
        )
        next_session, due = at_next.number, at_next.measures
    return {
        "course_id": course.pk,
        "client_id": course.client_id,
        "is_open": course.is_open,
        "trajectories": trajectories(scores_of(records.administrations, sessions)),
        "next_session": next_session,
        "due": due,
    }
