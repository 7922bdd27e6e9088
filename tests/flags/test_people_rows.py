"""people_rows writes the supervisor's table of people as its template did, cell for cell."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.test.html import parse_html

from iptriad.flags.dashboard.rows import people_rows
from iptriad.flags.dashboard.selectors import PersonRow

# The rows as flags/_dashboard_people.html drew them with the template language, before people_rows.
TEMPLATE_ROWS = Template(
    """{% for person in people %}
  <tr>
    <td data-label="Person"><a href="{% url 'supervision-dashboard-person' person.membership_id %}">{{ person.name }}</a> <span class="hint">({{ person.role }})</span></td>
    <td data-label="Gravest flag">{{ person.gravest|default:"None" }}</td>
    <td data-label="Flagged cases" class="num">{{ person.flagged_cases }}</td>
    <td data-label="Active cases" class="num">{{ person.active_cases }}</td>
    <td data-label="Since last supervision">{% if person.last_meeting %}{{ person.changed_since }} changed, {{ person.cleared_since }} cleared since {{ person.last_meeting|date:"j M Y" }}{% else %}No supervision logged{% endif %}</td>
  </tr>
  {% endfor %}"""  # noqa: E501 (the template's own lines)
)

PEOPLE = [
    PersonRow(
        user_id=1,
        membership_id=11,
        name="Dr <b>O'Neil</b> & co",
        role="Therapist",
        active_cases=12,
        flagged_cases=3,
        gravest_rank=1,
        gravest='Risk "open" <alert>',
        last_meeting=dt.date(2026, 3, 9),
        changed_since=2,
        cleared_since=1,
    ),
    PersonRow(user_id=2, membership_id=2_000, name="Sam Lee", role="Facilitator"),
    PersonRow(
        user_id=3, membership_id=7, name="Kay", role="Supervisor", active_cases=1, last_meeting=dt.date(2025, 12, 1)
    ),
]


def test_the_rows_are_the_templates_markup_in_their_order():
    drawn = TEMPLATE_ROWS.render(Context({"people": PEOPLE}))
    written = people_rows(PEOPLE)
    assert parse_html(written) == parse_html(drawn)
    assert written.index("/2000/") > written.index("/11/")
    for person in PEOPLE:
        single = TEMPLATE_ROWS.render(Context({"people": [person]}))
        assert parse_html(people_rows([person])) == parse_html(single)
