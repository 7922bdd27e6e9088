"""The course page section: Focus: problem areas, formulation and contract."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course
from iptriad.courses.selectors.focus import focus_summary

TITLE = "Focus: problem areas, formulation and contract"
TEMPLATE = "courses/sections/focus.html"
STYLESHEET = "iptriad/focus.css"


def context(actor: Actor, course: Course) -> dict[str, Any]:
    """Four queries: problem areas, their goals, the formulation and the contract."""
    return {"focus": focus_summary(course=course), "may_edit": course.is_open}
