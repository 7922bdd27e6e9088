"""The course page section: the course's trajectories (charts, status, data tables) and what is due next session."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course
from iptriad.measures.selectors import course_measures

TITLE = "Measures"
TEMPLATE = "courses/sections/measures.html"
STYLESHEET = "iptriad/measures.css"


def context(actor: Actor, course: Course) -> dict[str, Any]:
    """Three queries whatever the size of the course: administrations, active schedule rows, sessions and contract."""
    measures = course_measures(actor=actor, course=course)
    return {
        "course_id": course.pk,
        "client_id": course.client_id,
        "is_open": course.is_open,
        "trajectories": measures.trajectories,
        "next_session": measures.next_session,
        "due": measures.due,
    }
