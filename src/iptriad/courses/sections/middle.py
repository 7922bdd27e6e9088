"""The course page section of the middle phase's focus: problem areas, formulation and contract."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course
from iptriad.courses.selectors.course_page import CourseRecords, course_records
from iptriad.courses.selectors.middle import focus_summary

TITLE = "Focus: problem areas, formulation and contract"
TEMPLATE = "courses/sections/middle.html"
STYLESHEET = "iptriad/middle.css"


def context(actor: Actor, course: Course, records: CourseRecords | None = None) -> dict[str, Any]:
    """No query of its own: the problem areas with their goals, the formulation and the contract of the page's reads."""
    records = records or course_records(actor=actor, course=course)
    summary = focus_summary(
        problem_areas=records.problem_areas, formulation=records.formulation, contract=records.contract
    )
    return {"focus": summary, "may_edit": course.is_open}
