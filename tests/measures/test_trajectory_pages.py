"""Trajectories on the pages: the chart as its own SVG image, its data table and status, the course section."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import Phase
from iptriad.courses.models import Course, CourseSession
from iptriad.courses.sections import measures as measures_section
from iptriad.courses.selectors.course_page import course_records
from iptriad.courses.selectors.measures import sessions_held
from iptriad.courses.services.course import course_open
from iptriad.courses.views.measures import SVG_CONTENT_SECURITY_POLICY
from iptriad.measures.models import Administration
from iptriad.measures.services import administration_record
from iptriad.measures.trajectory import MINUS, Score, context_administrations, scores_of
from tests.conftest import Personas, logged_in
from tests.courses.factories import occasion_for

pytestmark = pytest.mark.django_db

FIRST = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def phq9_answers(total: int) -> list[int]:
    """PHQ-9 positions adding up to `total`, item 9 (self-harm) left at 0 so no alert opens."""
    answers, remaining = [], total
    for _ in range(8):
        answers.append(min(3, remaining))
        remaining -= answers[-1]
    return [*answers, 0]


def open_course(personas: Personas) -> Course:
    with time_machine.travel(FIRST - dt.timedelta(days=7), tick=False):
        return course_open(actor=personas.actor(personas.therapist_a), client=personas.client_a, adaptation="standard")


def record_phq9(personas: Personas, totals: list[int], start: dt.datetime = FIRST) -> list[Administration]:
    recorded = []
    for week, total in enumerate(totals):
        with time_machine.travel(start + dt.timedelta(weeks=week), tick=False):
            recorded.append(
                administration_record(
                    actor=personas.actor(personas.therapist_a),
                    client=personas.client_a,
                    code="phq9",
                    answers=phq9_answers(total),
                )
            )
    return recorded


def add_session(course: Course, number: int, held_on: dt.date) -> CourseSession:
    return CourseSession.objects.create(
        organisation_id=course.organisation_id,
        course=course,
        occasion=occasion_for(course),
        number=number,
        held_on=held_on,
        phase=Phase.INITIAL,
        recorded_by=course.therapist,
    )


def course_scores(course: Course) -> dict[str, list[Score]]:
    """The course's scores, its sessions read first and passed as data, as the course's pages do."""
    return scores_of(course_administrations(course), sessions_held(course.sessions.order_by("number")))


def course_administrations(course: Course):
    return context_administrations(context_id=course.treatment_context_id, organisation_id=course.organisation_id)


def chart_url(course: Course, code: str = "phq9") -> str:
    return reverse("measures-trajectory-svg", args=[course.pk]) + f"?instrument={code}"


class TestChart:
    def test_it_is_an_svg_image_without_script_that_no_one_keeps(self, personas):
        course = open_course(personas)
        record_phq9(personas, [22, 15, 9])
        response = logged_in(personas.therapist_a).get(chart_url(course))
        svg = response.content.decode()
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert "<script" not in svg.lower()
        assert "no-store" in response["Cache-Control"]
        assert response["Content-Security-Policy"] == SVG_CONTENT_SECURITY_POLICY
        assert "frame-ancestors 'none'" in SVG_CONTENT_SECURITY_POLICY
        assert svg.startswith("<svg")

    def test_it_shows_the_severity_bands_and_the_sessions(self, personas):
        course = open_course(personas)
        add_session(course, 1, FIRST.date())
        record_phq9(personas, [22, 15])
        svg = logged_in(personas.therapist_a).get(chart_url(course)).content.decode()
        for band in ("none / minimal", "mild", "moderate", "moderately severe", "severe"):
            assert f">{band}<" in svg
        assert "S1 · 2 Mar" in svg  # session 1, held the day the first score was recorded
        assert "9 Mar" in svg

    def test_reading_it_is_audited_without_scores(self, personas):
        course = open_course(personas)
        record_phq9(personas, [12])
        logged_in(personas.supervisor_a).get(chart_url(course))
        event = AuditEvent.objects.get(action=AuditAction.MEASURE_VIEWED)
        assert event.object_id == str(course.pk)
        assert event.detail == {"instrument": "phq9"}

    def test_a_course_without_scores_gives_an_empty_chart(self, personas):
        course = open_course(personas)
        response = logged_in(personas.therapist_a).get(chart_url(course, "gad7"))
        assert response.status_code == 200
        assert "No valid score yet" in response.content.decode()

    @pytest.mark.parametrize("query", ["?instrument=nope", ""])
    def test_an_unknown_instrument_is_404(self, personas, query):
        course = open_course(personas)
        url = reverse("measures-trajectory-svg", args=[course.pk]) + query
        assert logged_in(personas.therapist_a).get(url).status_code == 404

    def test_it_runs_the_same_queries_for_1_and_20_administrations(self, personas):
        course = open_course(personas)
        http = logged_in(personas.therapist_a)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert http.get(chart_url(course)).status_code == 200
            return len(captured.captured_queries)

        record_phq9(personas, [20])
        with_one = queries()
        record_phq9(personas, list(range(19, 0, -1)), start=FIRST + dt.timedelta(weeks=1))
        assert Administration.objects.count() == 20
        assert queries() == with_one


class TestCourseScores:
    def test_the_scores_of_a_course_are_one_query(self, personas):
        course = open_course(personas)
        record_phq9(personas, list(range(20, 0, -1)))
        sessions = sessions_held(course.sessions.all())
        with CaptureQueriesContext(connection) as captured:
            scores = scores_of(course_administrations(course), sessions)
        assert len(captured.captured_queries) == 1
        assert [score.total for score in scores["phq9"]] == [float(total) for total in range(20, 0, -1)]

    def test_a_score_takes_the_session_it_was_recorded_in_or_held_that_day(self, personas):
        course = open_course(personas)
        session_1 = add_session(course, 1, FIRST.date())
        add_session(course, 2, (FIRST + dt.timedelta(weeks=1)).date())
        first, _, _ = record_phq9(personas, [20, 16, 12])
        Administration.objects.filter(pk=first.pk).update(occasion=session_1.occasion)
        numbers = [score.session_number for score in course_scores(course)["phq9"]]
        assert numbers == [1, 2, None]  # linked; recorded on session 2's day; no session that day

    def test_another_courses_scores_are_not_included(self, personas):
        record_phq9(personas, [20])  # before any course: on no course
        course = open_course(personas)
        assert course_scores(course) == {}


class TestClientPage:
    def test_it_shows_each_chart_with_its_status_and_data_table(self, personas):
        course = open_course(personas)
        record_phq9(personas, [18, 12])
        html = logged_in(personas.therapist_a).get(reverse("measures-client", args=[personas.client_a.pk])).content
        page = html.decode()
        assert f'src="{reverse("measures-trajectory-svg", args=[course.pk])}?instrument=phq9"' in page
        assert (
            'alt="Chart of PHQ-9 totals in this course: 2 scores, from 18 (moderately severe) on 2 March 2026 to 12 '
            '(moderate) on 9 March 2026. The table below gives every score."'
        ) in page
        assert "<caption>PHQ-9 scores in this course</caption>" in page
        assert "Reliable improvement" in page
        assert "a fall of 6 points or more from the baseline" in page
        assert f"{MINUS}6" in page
        assert reverse("measures-fhir-export", args=[personas.client_a.pk]) in page
        assert reverse("measures-schedule", args=[course.pk]) in page

    def test_an_ipt_a_course_shows_the_phqa_change_rules_carried_over_from_the_phq9(self, personas):
        with time_machine.travel(FIRST - dt.timedelta(days=7), tick=False):
            course_open(actor=personas.actor(personas.therapist_a), client=personas.client_a, adaptation="ipt_a")
        for week, total in enumerate([18, 4]):
            with time_machine.travel(FIRST + dt.timedelta(weeks=week), tick=False):
                administration_record(
                    actor=personas.actor(personas.therapist_a),
                    client=personas.client_a,
                    code="phqa",
                    answers=[*phq9_answers(total), 1, 0, 1, 1],  # items 10-13: No, not difficult, No, No
                )
        html = logged_in(personas.therapist_a).get(reverse("measures-client", args=[personas.client_a.pk])).content
        page = html.decode()
        assert "<caption>PHQ-A scores in this course</caption>" in page
        for label in ("Reliable improvement", "Response", "Remission"):
            assert f"<dt>{label}</dt>" in page
        assert "the PHQ-9&#x27;s rule, carried over to the PHQ-A" in page
        assert "reliable change, response and remission are the PHQ-9&#x27;s, carried over" in page

    def test_without_a_course_there_is_no_trajectory(self, personas):
        record_phq9(personas, [18])
        page = logged_in(personas.therapist_a).get(reverse("measures-client", args=[personas.client_a.pk]))
        assert "trajectory.svg" not in page.content.decode()

    def test_it_runs_the_same_queries_for_1_and_20_administrations(self, personas):
        open_course(personas)
        http = logged_in(personas.supervisor_a)
        url = reverse("measures-client", args=[personas.client_a.pk])

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                assert http.get(url).status_code == 200
            return len(captured.captured_queries)

        record_phq9(personas, [20])
        with_one = queries()
        record_phq9(personas, list(range(19, 0, -1)), start=FIRST + dt.timedelta(weeks=1))
        assert queries() == with_one


class TestCourseSection:
    def test_it_gives_a_trajectory_per_instrument_and_what_is_due(self, personas):
        course = open_course(personas)
        add_session(course, 1, FIRST.date())
        record_phq9(personas, [18])  # on the day of session 1; the GAD-7 and WSAS due then were not given
        context = measures_section.context(personas.actor(personas.therapist_a), course)
        assert [trajectory.code for trajectory in context["trajectories"]] == ["phq9"]
        assert context["next_session"] == 2
        due = {item.code: item for item in context["due"]}
        assert set(due) == {"phq9", "gad7", "wsas"}
        assert not due["phq9"].overdue
        assert due["gad7"].overdue
        assert due["gad7"].reason == "was due at session 1 and not given since"

    def test_an_inactive_schedule_row_is_not_due(self, personas):
        course = open_course(personas)
        course.treatment_context.measure_schedules.filter(instrument_code="wsas").update(active=False)
        context = measures_section.context(personas.actor(personas.therapist_a), course)
        assert {item.code for item in context["due"]} == {"phq9", "gad7"}

    def test_it_reads_a_fixed_number_of_queries(self, personas):
        course = open_course(personas)
        actor = personas.actor(personas.therapist_a)

        def queries() -> int:
            with CaptureQueriesContext(connection) as loading:
                records = course_records(actor=actor, course=course)
            with CaptureQueriesContext(connection) as building:
                measures_section.context(actor, course, records)
            assert building.captured_queries == []  # the section builds on the page's reads only
            return len(loading.captured_queries)

        record_phq9(personas, [20])
        with_one = queries()
        record_phq9(personas, list(range(19, 0, -1)), start=FIRST + dt.timedelta(weeks=1))
        # The course again with its one-to-one records, and eight lists (no problem area, so no read of goals).
        assert queries() == with_one == 9

    def test_its_template_shows_charts_due_measures_and_the_schedule_link(self, personas):
        course = open_course(personas)
        record_phq9(personas, [18, 9])
        context = measures_section.context(personas.actor(personas.therapist_a), course)
        html = render_to_string(measures_section.TEMPLATE, {"section": context})
        assert "Due at session 1" in html
        assert f"{reverse('measures-record', args=[personas.client_a.pk])}?instrument=gad7" in html
        assert "Change the measure schedule" in html
        assert chart_url(course) in html
        assert "<caption>PHQ-9 scores in this course</caption>" in html

    def test_a_closed_course_shows_its_trajectories_and_nothing_due(self, personas):
        course = open_course(personas)
        record_phq9(personas, [18, 9])
        Course.objects.filter(pk=course.pk).update(phase="closed", closed_on=FIRST.date(), end_reason="completed")
        course.refresh_from_db()
        context = measures_section.context(personas.actor(personas.therapist_a), course)
        html = render_to_string(measures_section.TEMPLATE, {"section": context})
        assert context["due"] == ()
        assert "Due at session" not in html
        assert "Change the measure schedule" not in html
        assert chart_url(course) in html
