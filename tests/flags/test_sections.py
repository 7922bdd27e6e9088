"""The "Not on track" section on the course page and a group member's page: its content (each flag's why, since,
rule, source and suggestions), nothing when no flag fires, who sees it, and one query for it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from iptriad.core.flags import SUGGESTIONS, FlagCode, rule
from iptriad.flags.services import flags_refresh
from tests.conftest import logged_in
from tests.flags.builders import attend, course_with_history
from tests.groups.factories import group_records

pytestmark = pytest.mark.django_db
HEADING = "Not on track"


@pytest.fixture
def slow(personas):
    course = course_with_history(
        personas.client_a,
        personas.therapist_a,
        opened_on=timezone.localdate() - dt.timedelta(weeks=5),
        phq9=[(0, 20), (5, 19)],
    )
    flags_refresh([course.treatment_context_id])
    return course


def page(user, course) -> str:
    response = logged_in(user).get(reverse("course-detail", args=[course.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["therapist_a", "supervisor_a"])
def test_the_course_page_shows_each_flag_with_its_rule_source_and_suggestions(personas, slow, who):
    html = page(getattr(personas, who), slow)
    assert HEADING in html
    words = rule(FlagCode.EARLY_NON_RESPONSE)
    assert escape(words.title) in html
    assert escape(words.rule) in html
    assert escape(words.source) in html
    assert "PHQ-9 19 at week 5" in html
    assert f"since {timezone.localdate():%-d %B %Y}" in html
    assert "What the protocol suggests next" in html
    for suggestion in SUGGESTIONS[FlagCode.EARLY_NON_RESPONSE]:
        assert escape(suggestion.text) in html
        assert escape(suggestion.source) in html
    assert html.index(escape(rule(FlagCode.EARLY_NON_RESPONSE).title)) < html.index(
        escape(rule(FlagCode.NO_SUPERVISORY_REVIEW).title)
    )  # gravest first


def test_nothing_shows_when_no_flag_fires_or_before_any_refresh(personas):
    course = course_with_history(personas.client_a, personas.therapist_a, opened_on=timezone.localdate())
    assert HEADING not in page(personas.therapist_a, course)
    flags_refresh([course.treatment_context_id])
    assert HEADING not in page(personas.therapist_a, course)


def flag_reads(http, url) -> int:
    """Queries that read the stored flags on their own (not as the course query's annotation)."""
    http.get(url)
    with CaptureQueriesContext(connection) as queries:
        http.get(url)
    return sum(query["sql"].lstrip().startswith('SELECT "flags_contextflags"') for query in queries.captured_queries)


def test_the_section_costs_one_query_when_a_flag_fires_and_none_otherwise(personas, slow):
    http = logged_in(personas.therapist_a)
    assert flag_reads(http, reverse("course-detail", args=[slow.pk])) == 1
    calm = course_with_history(personas.client_b, personas.therapist_b, opened_on=timezone.localdate())
    flags_refresh([calm.treatment_context_id])
    assert flag_reads(logged_in(personas.therapist_b, personas.org_b), reverse("course-detail", args=[calm.pk])) == 0


@pytest.fixture
def member(personas):
    records = group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="G-SEC"
    )
    attend(records.member, ["absent"], personas.facilitator_a)  # the second absence in a row
    flags_refresh([records.member.treatment_context_id])
    return records.member


def member_page(user, member) -> str:
    response = logged_in(user).get(reverse("groups_member", args=[member.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["therapist_a", "supervisor_a"])
def test_the_clinicians_see_every_flag_of_the_member(personas, member, who):
    html = member_page(getattr(personas, who), member)
    assert HEADING in html
    assert escape(rule(FlagCode.MISSED_SESSIONS).title) in html
    assert escape(rule(FlagCode.NO_SUPERVISORY_REVIEW).title) in html


def test_a_facilitator_sees_only_the_missed_sessions_flag(personas, member):
    html = member_page(personas.facilitator_a, member)
    assert escape(rule(FlagCode.MISSED_SESSIONS).title) in html
    assert escape(SUGGESTIONS[FlagCode.MISSED_SESSIONS][0].text) in html
    assert escape(rule(FlagCode.NO_SUPERVISORY_REVIEW).title) not in html


def test_an_administrator_sees_no_flags(personas, member):
    assert HEADING not in member_page(personas.admin_a, member)
