"""The course page section: the sessions held so far, the button to record the next, and its cautions."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course
from iptriad.courses.selectors.sessions import course_sessions, next_session_cautions, session_counts

TITLE = "Sessions"
TEMPLATE = "courses/sections/sessions.html"


def context(actor: Actor, course: Course) -> dict[str, Any]:
    """One query for the sessions, plus the course snapshot's fixed few for the next session's cautions."""
    sessions = course_sessions(actor=actor, course=course)
    counts = session_counts(sessions)
    return {
        "course_id": course.pk,
        "is_open": course.is_open,
        "sessions": sessions,
        "counts": counts,
        "guide": next_session_cautions(course=course, counts=counts),
    }
