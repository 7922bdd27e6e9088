"""The caseload_rows tag writes each course's row as the caseload template did, cell for cell."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.test.html import parse_html

from iptriad.courses.selectors.course import CaseloadRow
from iptriad.courses.templatetags.caseload import caseload_rows
from iptriad.measures.due import DueMeasure

# The row as courses/caseload.html drew it with the template language, before the tag.
TEMPLATE_ROWS = Template(
    """{% for row in rows %}{% with course=row.course %}
  <tr>
    <td data-label="Client"><a href="{% url 'course-detail' course.course_id %}">{{ course.client_family_name }}, {{ course.client_given_name }}</a></td>
    <td data-label="Therapist">{{ course.therapist_name }}</td>
    <td data-label="Phase">{{ course.phase_label }}</td>
    <td data-label="Sessions">{{ course.sessions_held }}{% if course.sessions_planned is not None %} of {{ course.sessions_planned }}{% endif %}</td>
    <td data-label="Last session">{{ course.last_session_on|date:"j M Y"|default:"None yet" }}</td>
    <td data-label="Next">Session {{ course.sessions_recorded|add:1 }}</td>
    <td data-label="Measures due">{% for due in row.due %}<span class="{% if due.overdue %}warning-badge{% else %}badge{% endif %}" title="{{ due.reason }}">{{ due.code|upper }}{% if due.overdue %} overdue{% endif %}</span> {% empty %}None{% endfor %}</td>
  </tr>
  {% endwith %}{% endfor %}"""  # noqa: E501 (the template's own lines)
)

ROWS = [
    (
        CaseloadRow(
            course_id=7,
            treatment_context_id=70,
            client_family_name="O'Brien <b>",
            client_given_name='Ann "Nan" & co',
            therapist_name="Dr <i>Kay</i>",
            phase="middle",
            sessions_held=5,
            sessions_recorded=6,
            sessions_planned=16,
            last_session_on=dt.date(2025, 3, 4),
        ),
        (
            DueMeasure("phq9", "PHQ-9", True, "was due at session 4 and not given since"),
            DueMeasure("gad7", "GAD-7", False, 'due at session <6> & "more"'),
        ),
    ),
    (
        CaseloadRow(
            course_id=12_345,
            treatment_context_id=71,
            client_family_name="Smith",
            client_given_name="Jo",
            therapist_name="Sam Lee",
            phase="initial",
            sessions_held=0,
            sessions_recorded=0,
            sessions_planned=None,
            last_session_on=None,
        ),
        (),
    ),
    (
        CaseloadRow(
            course_id=8,
            treatment_context_id=72,
            client_family_name="Ng",
            client_given_name="Li",
            therapist_name="Sam Lee",
            phase="maintenance",
            sessions_held=12,
            sessions_recorded=14,
            sessions_planned=12,
            last_session_on=dt.date(2024, 12, 31),
        ),
        (DueMeasure("srm5", "SRM-5", False, "weekly; never given"),),
    ),
]


@pytest.mark.parametrize("place", range(len(ROWS)))
def test_each_row_is_the_templates_markup(place):
    rows = ROWS[place : place + 1]
    drawn = TEMPLATE_ROWS.render(Context({"rows": [{"course": course, "due": due} for course, due in rows]}))
    assert parse_html(caseload_rows(rows)) == parse_html(drawn)


def test_all_rows_in_their_order():
    drawn = TEMPLATE_ROWS.render(Context({"rows": [{"course": course, "due": due} for course, due in ROWS]}))
    written = caseload_rows(ROWS)
    assert parse_html(written) == parse_html(drawn)
    assert written.index("/courses/7/") < written.index("/courses/12345/") < written.index("/courses/8/")
