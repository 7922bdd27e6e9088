"""The course page section of the termination phase: Ending and maintenance (ipt-protocol.md §3.3, §3.4).

The termination review, whether the relapse-prevention plan exists (the rules need it before closing as completed
and before maintenance), the maintenance plan with what the maintenance phase still needs, and what closing as
completed still needs. Built from the course page's records and their snapshot: no query of its own.
"""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.core.protocol import EndReason, Phase, check_close, check_start_maintenance
from iptriad.courses.models import Course
from iptriad.courses.selectors.course_page import CourseRecords, course_records
from iptriad.courses.services.termination import CONTINUING_STEPS, ERROR_TOO_EARLY, ending_window_open

TITLE = "Ending and maintenance"
TEMPLATE = "courses/sections/termination.html"
STYLESHEET = "iptriad/termination.css"


def context(actor: Actor, course: Course, records: CourseRecords | None = None) -> dict[str, Any]:
    records = records or course_records(actor=actor, course=course)
    snapshot = records.snapshot
    is_open = course.is_open
    window_open = is_open and ending_window_open(snapshot)
    continuing = records.review is not None and records.review.next_step in CONTINUING_STEPS
    in_termination = snapshot.phase is Phase.TERMINATION
    maintenance_refusals = check_start_maintenance(snapshot) if in_termination and continuing else ()
    return {
        "open": is_open,
        "window_open": window_open,
        "may_edit": window_open,
        "too_early": ERROR_TOO_EARLY,
        "review": records.review,
        "plan": records.plan,
        "maintenance": records.maintenance,
        "continuing": continuing,
        "maintenance_refusals": maintenance_refusals,
        "maintenance_ready": in_termination and continuing and not maintenance_refusals,
        "close_refusals": check_close(snapshot, EndReason.COMPLETED) if is_open else (),
    }
