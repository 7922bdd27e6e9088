"""The course page reads each kind of record once for all its sections, in the same number of queries whatever
the size of the course (docs/performance.md)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.audit.chain import append_statements
from iptriad.core.protocol import Phase
from iptriad.courses.models import CourseSession, CourseTask, Goal, InventoryPerson, PhaseChange, TimelineEvent
from iptriad.courses.sections import SECTIONS
from iptriad.courses.selectors.course_page import course_get_whole, course_records
from iptriad.measures.models import MeasureSchedule
from iptriad.measures.services import administration_record
from tests.conftest import logged_in
from tests.courses.factories import CourseRecords, full_course, occasion_for, termination_records
from tests.measures.factories import PHQ9_NO_RISK

pytestmark = pytest.mark.django_db

# 4 on every member page (session, user, MFA device, memberships), 1 for the course with its one-to-one records,
# the audit event's statements (1 on PostgreSQL, 3 on SQLite: iptriad.audit.chain.append_statements), and 9 lists:
# people, timeline, problem areas, goals, sessions, administrations, schedule rows, phase changes, ticked tasks.
COURSE_PAGE_QUERIES = 14 + append_statements()


def page_queries(http, course_id: int) -> int:
    address = reverse("course-detail", args=[course_id])
    with CaptureQueriesContext(connection) as captured:
        assert http.get(address).status_code == 200
    return len(captured.captured_queries)


def grow(records: CourseRecords, personas, count: int) -> None:
    """`count` more records of every kind the page lists."""
    course, org, therapist = records.course, personas.org_a, personas.therapist_a
    for number in range(count):
        person = InventoryPerson.objects.create(organisation=org, course=course, name=f"P{number}", ring=2)
        TimelineEvent.objects.create(
            organisation=org, course=course, occurred_on=dt.date(2026, 4, 1), description=f"E{number}", person=person
        )
        Goal.objects.create(organisation=org, course=course, problem_area=records.problem_area, text=f"G{number}")
        CourseSession.objects.create(
            organisation=org,
            course=course,
            occasion=occasion_for(course),
            number=number + 2,
            held_on=dt.date(2026, 9, 2) + dt.timedelta(days=number),
            phase=Phase.MIDDLE,
            recorded_by=therapist,
        )
        PhaseChange.objects.create(organisation=org, course=course, to_phase=Phase.MIDDLE, changed_by=therapist)
        CourseTask.objects.create(organisation=org, course=course, task_id=f"task-{number}", recorded_by=therapist)
        administration_record(
            actor=personas.actor(therapist), client=personas.client_a, code="phq9", answers=PHQ9_NO_RISK
        )
    for code in ("phq9", "gad7", "wsas"):
        MeasureSchedule.objects.create(
            organisation=org, context=course.treatment_context, instrument_code=code, cadence="every_session"
        )


def test_the_course_page_runs_the_same_queries_for_a_small_and_a_large_course(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    termination_records(records.course)
    http = logged_in(personas.therapist_a)
    http.get(reverse("course-detail", args=[records.course.pk]))  # warm the session
    small = page_queries(http, records.course.pk)
    grow(records, personas, 30)
    assert page_queries(http, records.course.pk) == small == COURSE_PAGE_QUERIES


def test_the_supervisor_sees_it_in_the_same_queries(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    http = logged_in(personas.supervisor_a)
    http.get(reverse("course-detail", args=[records.course.pk]))
    assert page_queries(http, records.course.pk) == COURSE_PAGE_QUERIES


def test_the_sections_read_nothing_of_their_own(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    termination_records(records.course)
    actor = personas.actor(personas.therapist_a)
    course = course_get_whole(actor=actor, course_id=records.course.pk)
    with CaptureQueriesContext(connection) as loading:
        page_records = course_records(actor=actor, course=course)
    with CaptureQueriesContext(connection) as building:
        for section in SECTIONS:
            section.context(actor, course, page_records)
    assert len(loading.captured_queries) == 9  # the course came with its one-to-one records: the lists only
    assert building.captured_queries == []
    assert page_records.plan is not None
    assert page_records.assessment is not None
    assert page_records.snapshot.sessions_held == 1


def test_the_course_pages_answers_name_the_organisation_once(personas):
    """Twice the same filter on the organisation led SQLite's planner (no statistics) to read every administration
    of the organisation through its organisation index instead of the course's few (35 ms at 60,000 answers)."""
    records = full_course(personas.client_a, personas.therapist_a)
    actor = personas.actor(personas.therapist_a)
    course = course_get_whole(actor=actor, course_id=records.course.pk)
    with CaptureQueriesContext(connection) as loading:
        course_records(actor=actor, course=course)
    answers = [query["sql"] for query in loading.captured_queries if 'FROM "measures_administration"' in query["sql"]]
    assert len(answers) == 1
    assert answers[0].count('"measures_administration"."organisation_id" =') == 1
