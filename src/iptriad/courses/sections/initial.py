"""The course page section: Initial phase (assessment, inventory and closeness circle, timeline, triad).

Five queries whatever the size of the course: the assessment, the people, the timeline with its people, the
triad and its support people.
"""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.courses.models import Course
from iptriad.courses.selectors.initial import (
    assessment_of,
    closeness_circle,
    inventory_of,
    sick_role_guidance,
    timeline_of,
    triad_of,
)
from iptriad.courses.services.initial import risk_alert_needed

TITLE = "Initial phase"
TEMPLATE = "courses/sections/initial.html"
STYLESHEET = "iptriad/initial.css"


def context(actor: Actor, course: Course) -> dict[str, Any]:
    assessment = assessment_of(actor=actor, course=course)
    people = inventory_of(actor=actor, course=course)
    triad = triad_of(actor=actor, course=course)
    return {
        "course": course,
        "editable": course.is_open,
        "assessment": assessment,
        "risk_alert": assessment is not None and risk_alert_needed(assessment.suicide_risk_screen),
        "sick_role": sick_role_guidance(course),
        "people": people,
        "circle": closeness_circle(client_name=course.client.given_name, people=people),
        "events": timeline_of(actor=actor, course=course),
        "triad": triad,
        "support_people": list(triad.support_people.all()) if triad is not None else [],
    }
