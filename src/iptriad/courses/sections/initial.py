"""The course page section: Initial phase (assessment, inventory and closeness circle, timeline, triad).

Built from the course page's records (courses/selectors/course_page.py): no query of its own.
"""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course
from iptriad.courses.selectors.course_page import CourseRecords, course_records
from iptriad.courses.selectors.initial import closeness_circle, sick_role_guidance
from iptriad.courses.services.initial import risk_alert_needed

TITLE = "Initial phase"
TEMPLATE = "courses/sections/initial.html"
STYLESHEET = "iptriad/initial.css"


def context(actor: Actor, course: Course, records: CourseRecords | None = None) -> dict[str, Any]:
    records = records or course_records(actor=actor, course=course)
    assessment = records.assessment
    people = records.people
    triad = records.triad
    return {
        "course": course,
        "editable": course.is_open,
        "assessment": assessment,
        "risk_alert": assessment is not None and risk_alert_needed(assessment.suicide_risk_screen),
        "sick_role": sick_role_guidance(course),
        "people": people,
        "circle": closeness_circle(client_name=course.client.given_name, people=people),
        "events": records.events,
        "triad": triad,
        "support_people": records.support_people,
    }
