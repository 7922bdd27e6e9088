"""The caseload's rows written in Python: a caseload lists hundreds of courses, and the same rows drawn by the
template language cost half the page (a variable lookup, a localized number or date, a {% url %} per cell). The
markup is the template's, held equal by tests/courses/test_caseload_rows.py."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from iptriad.courses.selectors.course import CaseloadRow
from iptriad.measures.due import DueMeasure

register = template.Library()

_PLACEHOLDER = "2147483647"  # a course id no course has, replaced by each row's own


@register.simple_tag
def caseload_rows(rows: Sequence[tuple[CaseloadRow, Sequence[DueMeasure]]]) -> SafeString:
    """The <tr> of each course: its client (linked), therapist, phase, sessions, last and next session, measures due."""
    # One reverse for the page (it costs more than the rest of a row), not cached across requests: the URL's prefix
    # is the request's.
    url = reverse("course-detail", args=[int(_PLACEHOLDER)])
    rows_html = "".join(_row(course, due, url) for course, due in rows)
    return mark_safe(rows_html)  # noqa: S308  # nosec B308, B703  # every value is escaped in _row and _badge


def _row(course: CaseloadRow, due: Sequence[DueMeasure], url: str) -> str:
    escape = conditional_escape
    sessions = str(course.sessions_held)
    if course.sessions_planned is not None:
        sessions += f" of {course.sessions_planned}"
    last = date_format(course.last_session_on, "j M Y") if course.last_session_on else "None yet"
    badges = "".join(_badge(measure) for measure in due) or "None"
    return (
        "<tr>"
        f'<td data-label="Client"><a href="{escape(url.replace(_PLACEHOLDER, str(course.course_id)))}">'
        f"{escape(course.client_family_name)}, {escape(course.client_given_name)}</a></td>"
        f'<td data-label="Therapist">{escape(course.therapist_name)}</td>'
        f'<td data-label="Phase">{escape(course.phase_label)}</td>'
        f'<td data-label="Sessions">{escape(sessions)}</td>'
        f'<td data-label="Last session">{escape(last)}</td>'
        f'<td data-label="Next">Session {course.sessions_recorded + 1}</td>'
        f'<td data-label="Measures due">{badges}</td>'
        "</tr>\n"
    )


def _badge(measure: DueMeasure) -> str:
    css = "warning-badge" if measure.overdue else "badge"
    overdue = " overdue" if measure.overdue else ""
    return (
        f'<span class="{css}" title="{conditional_escape(measure.reason)}">'
        f"{conditional_escape(measure.code.upper())}{overdue}</span> "
    )
