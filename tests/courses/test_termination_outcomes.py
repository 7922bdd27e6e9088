"""The symptom change of the termination review: the first and the latest valid score of the course's symptom
measure (PHQ-9, or PHQ-A in IPT-A), judged by iptriad.core.outcomes.classify_change (§3.3, §9.2)."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.urls import reverse

from iptriad.core.protocol import Phase
from iptriad.courses.models import Course
from iptriad.courses.selectors.termination import symptom_change, symptom_measure_code
from iptriad.measures.models import Administration
from iptriad.measures.services import administration_record
from tests.conftest import logged_in
from tests.courses.factories import full_course, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


def phq9_answers(total: int) -> list[int | None]:
    """Nine answers summing to `total`, item 9 (self-harm) always 0 so no risk alert is opened."""
    answers: list[int | None] = []
    left = total
    for _ in range(8):
        answers.append(min(3, left))
        left -= min(3, left)
    assert left <= 0, "a PHQ-9 total above 24 needs item 9"
    return [*answers, 0]


def record_phq9(personas, course: Course, total: int, when: dt.datetime, code: str = "phq9") -> Administration:
    """Recorded through the measures service, then placed in this course at `when` through the ORM."""
    answers = phq9_answers(total)
    if code == "phqa":
        answers = [*answers, 1, 0, 1, 1]  # items 10-13 unscored: No, not difficult, No, No
    administration = administration_record(
        actor=personas.actor(personas.therapist_a), client=course.client, code=code, answers=answers
    )
    administration.context = course.treatment_context
    administration.completed_at = when
    administration.save(update_fields=["context", "completed_at"])
    return administration


def day(month: int, day_: int) -> dt.datetime:
    return dt.datetime(2026, month, day_, 9, tzinfo=dt.UTC)


@pytest.fixture
def course(personas):
    course = full_course(personas.client_a, personas.therapist_a).course
    Course.objects.filter(pk=course.pk).update(phase=Phase.TERMINATION)
    course.refresh_from_db()
    return course


def change(personas, course: Course):
    return symptom_change(actor=personas.actor(personas.therapist_a), course=course)


def test_without_measures_there_is_no_baseline(personas, course):
    result = change(personas, course)
    assert (result.code, result.name, result.count, result.baseline, result.status) == ("phq9", "PHQ-9", 0, None, None)


def test_one_measure_is_a_baseline_without_a_change(personas, course):
    record_phq9(personas, course, 18, day(9, 2))
    result = change(personas, course)
    assert result.baseline is not None
    assert result.baseline.total == Decimal(18)
    assert (result.change, result.status, result.direction) == (None, None, "")


def test_it_compares_the_first_and_the_latest_valid_score(personas, course):
    record_phq9(personas, course, 12, day(10, 1))
    record_phq9(personas, course, 18, day(9, 2))  # recorded later, but the earliest: the baseline
    record_phq9(personas, course, 6, day(11, 20))
    result = change(personas, course)
    assert result.count == 3
    assert (result.baseline.total, result.latest.total) == (Decimal(18), Decimal(6))
    assert (result.change, result.change_size, result.direction) == (Decimal(-12), Decimal(12), "lower")
    status = result.status
    assert status.reliable_improvement is True  # 12 >= 6 points
    assert status.reliable_deterioration is False
    assert status.percent_reduction == pytest.approx(66.67, abs=0.01)
    assert status.response is True  # at least half gone
    assert status.remission is False  # 6 is not < 5


def test_remission_below_5(personas, course):
    record_phq9(personas, course, 20, day(9, 2))
    record_phq9(personas, course, 4, day(11, 20))
    status = change(personas, course).status
    assert (status.response, status.remission, status.reliable_improvement) == (True, True, True)


def test_a_small_drop_is_neither_reliable_nor_a_response(personas, course):
    record_phq9(personas, course, 14, day(9, 2))
    record_phq9(personas, course, 10, day(11, 20))
    status = change(personas, course).status
    assert (status.reliable_improvement, status.response, status.remission) == (False, False, False)


def test_reliable_deterioration(personas, course):
    record_phq9(personas, course, 8, day(9, 2))
    record_phq9(personas, course, 15, day(11, 20))
    result = change(personas, course)
    assert (result.direction, result.status.reliable_deterioration, result.status.reliable_improvement) == (
        "higher",
        True,
        False,
    )


def test_it_counts_only_valid_phq9_scores_of_this_course(personas, course):
    record_phq9(personas, course, 18, day(9, 2))
    record_phq9(personas, course, 9, day(11, 1))
    actor = personas.actor(personas.therapist_a)
    # Invalid (three items missing), another instrument, no course, and another course of the same client.
    invalid = administration_record(
        actor=actor, client=course.client, code="phq9", answers=[None, None, None, 1, 1, 1, 1, 1, 0]
    )
    assert invalid.valid is False
    Administration.objects.filter(pk=invalid.pk).update(context=course.treatment_context, completed_at=day(11, 25))
    gad7 = administration_record(actor=actor, client=course.client, code="gad7", answers=[0] * 7)
    Administration.objects.filter(pk=gad7.pk).update(context=course.treatment_context, completed_at=day(11, 25))
    loose = administration_record(actor=actor, client=course.client, code="phq9", answers=phq9_answers(2))
    Administration.objects.filter(pk=loose.pk).update(context=None, completed_at=day(11, 25))
    Course.objects.filter(pk=course.pk).update(phase=Phase.CLOSED, closed_on=dt.date(2026, 11, 2), end_reason="other")
    later = make_course(course.client, personas.therapist_a)
    record_phq9(personas, later, 1, day(11, 24))
    result = change(personas, course)
    assert (result.count, result.baseline.total, result.latest.total) == (2, Decimal(18), Decimal(9))


def test_an_ipt_a_course_uses_the_phq_a_judged_by_the_phq9_rules_carried_over(personas):
    course = make_course(personas.client_a, personas.therapist_a, phase=Phase.TERMINATION, adaptation="ipt_a")
    assert symptom_measure_code(course) == "phqa"
    record_phq9(personas, course, 18, day(9, 2), code="phqa")
    record_phq9(personas, course, 5, day(11, 20), code="phqa")
    record_phq9(personas, course, 1, day(11, 21))  # a PHQ-9 does not count in IPT-A
    result = change(personas, course)
    assert (result.name, result.count, result.change) == ("PHQ-A", 2, Decimal(-13))
    assert result.convention is not None
    assert result.convention.carried_over_from == "phq9"
    assert result.status is not None
    assert (result.status.reliable_improvement, result.status.response, result.status.remission) == (True, True, False)
    page = html.unescape(
        logged_in(personas.therapist_a).get(reverse("course-termination-review", args=[course.pk])).content.decode()
    )
    assert "13 points lower" in page
    assert "Reliable improvement</dt><dd>Yes" in page
    assert "Response</dt><dd>Yes" in page
    assert "Remission</dt><dd>No" in page
    assert "reliable change, response and remission are the PHQ-9's, carried over; read them with caution" in page


def test_the_review_page_shows_the_figures(personas, course):
    record_phq9(personas, course, 18, day(9, 2))
    record_phq9(personas, course, 6, day(11, 20))
    page = logged_in(personas.therapist_a).get(reverse("course-termination-review", args=[course.pk]))
    content = html.unescape(page.content.decode())
    assert "Symptoms compared with the start (PHQ-9)" in content
    assert "18 on 2 September 2026" in content
    assert "6 on 20 November 2026 (2 measures in this course)" in content
    assert "12 points lower (67% reduction)" in content
    assert "Reliable improvement</dt><dd>Yes" in content
    assert "Reliable deterioration</dt><dd>No" in content
    assert "Response</dt><dd>Yes" in content
    assert "Remission</dt><dd>No" in content
    assert "latest score < 5" in content


def test_the_review_page_says_when_there_are_no_measures_yet(personas, course):
    page = logged_in(personas.therapist_a).get(reverse("course-termination-review", args=[course.pk]))
    assert "No measures yet" in html.unescape(page.content.decode())


def test_with_only_a_baseline_the_page_asks_for_another_measure(personas, course):
    record_phq9(personas, course, 18, day(9, 2))
    page = logged_in(personas.therapist_a).get(reverse("course-termination-review", args=[course.pk]))
    assert "Only the baseline so far" in html.unescape(page.content.decode())
