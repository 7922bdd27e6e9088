"""The course page section: the sessions held so far, the button to record the next, and its cautions."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.forms.sessions import NextSessionForm
from iptriad.courses.models import Course
from iptriad.courses.selectors.course_page import CourseRecords, course_records
from iptriad.courses.selectors.sessions import next_session_cautions, session_counts

TITLE = "Sessions"
TEMPLATE = "courses/sections/sessions.html"


def context(actor: Actor, course: Course, records: CourseRecords | None = None) -> dict[str, Any]:
    """No query of its own: the sessions and the snapshot (for the next session's cautions) of the page's reads."""
    records = records or course_records(actor=actor, course=course)
    sessions = records.sessions
    counts = session_counts(sessions)
    return {
        "course_id": course.pk,
        "is_open": course.is_open,
        "sessions": sessions,
        "counts": counts,
        "guide": next_session_cautions(course=course, snapshot=records.snapshot, counts=counts),
        "next_session_at": course.next_session_at,
        "next_session_form": NextSessionForm(initial={"next_session_at": course.next_session_at}),
    }
