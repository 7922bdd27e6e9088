"""Every input of an outcome row reaches a refresh once its transaction commits (after the flags' own refresh for the
inputs they share), and a rolled-back write refreshes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from iptriad.clients.models import Client
from iptriad.courses.models import CourseSession, ProblemAreaChoice
from iptriad.courses.services.course import course_close
from iptriad.groups.services.members import member_drop
from iptriad.measures.models import Occasion
from iptriad.measures.services import administration_record
from iptriad.outcomes.models import ContextOutcome, OutcomeSettings
from iptriad.outcomes.services import outcomes_refresh
from tests.flags.builders import ATTENDED, course_with_history
from tests.groups.factories import group_records

pytestmark = pytest.mark.django_db
PHQ9_6 = [1, 1, 1, 1, 1, 1, 0, 0, 0]


@pytest.fixture
def course(personas):
    course = course_with_history(
        personas.client_a,
        personas.therapist_a,
        opened_on=timezone.localdate() - dt.timedelta(weeks=6),
        phq9=[(0, 16)],
        sessions=[ATTENDED],
    )
    outcomes_refresh([course.treatment_context_id])
    return course


def row(context_id: int) -> ContextOutcome:
    return ContextOutcome.objects.get(treatment_context_id=context_id)


def record_session(course, number: int, therapist) -> CourseSession:
    return CourseSession.objects.create(
        organisation_id=course.organisation_id,
        course=course,
        number=number,
        phase="middle",
        occasion=Occasion.objects.create(
            organisation_id=course.organisation_id, context_id=course.treatment_context_id
        ),
        held_on=timezone.localdate(),
        attendance=ATTENDED,
        recorded_by=therapist,
    )


def test_a_session_recorded_changes_the_row(personas, course, committed):
    with committed():
        record_session(course, 2, personas.therapist_a)
    assert row(course.treatment_context_id).attended_sessions == 2


def test_a_phq9_given_changes_the_row(personas, course, committed):
    with committed():
        administration_record(
            actor=personas.actor(personas.therapist_a),
            client=personas.client_a,
            code="phq9",
            answers=PHQ9_6,
            context=course.treatment_context,
        )
    found = row(course.treatment_context_id)
    assert (found.phq9_first, found.phq9_last) == (16, 6)


def test_a_course_closed_ends_the_row(personas, course, committed):
    with committed():
        record_session(course, 2, personas.therapist_a)
    with committed():
        course_close(actor=personas.actor(personas.therapist_a), course=course, reason="dropped_out")
    found = row(course.treatment_context_id)
    assert found.ended_on == timezone.localdate()
    assert found.finished


def test_a_member_leaving_ends_the_place(personas, committed):
    member = group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="G-IN"
    ).member
    outcomes_refresh([member.treatment_context_id])
    assert row(member.treatment_context_id).ended_on is None
    with committed():
        member_drop(actor=personas.actor(personas.facilitator_a), member=member, reason_code="cannot_attend")
    assert row(member.treatment_context_id).ended_on == timezone.localdate()


def test_the_clients_details_change_the_row(course, committed):
    client = Client.objects.get(pk=course.client_id)
    client.sex, client.preferred_language, client.date_of_birth = "male", "fr", dt.date(1950, 1, 1)
    with committed():
        client.save()
    found = row(course.treatment_context_id)
    assert (found.sex, found.language, found.age_band) == ("male", "fr", "65 and over")


def test_a_problem_area_chosen_changes_the_row(course, committed):
    with committed():
        ProblemAreaChoice.objects.create(organisation_id=course.organisation_id, course=course, area="grief")
    assert row(course.treatment_context_id).problem_area == "grief"


def test_the_organisations_settings_reclassify_its_rows(personas, course, committed):
    with committed():
        record_session(course, 2, personas.therapist_a)
    with committed():
        course_close(actor=personas.actor(personas.therapist_a), course=course, reason="dropped_out")
    assert row(course.treatment_context_id).finished
    with committed():  # the worker refreshes the organisation (immediate under the tests)
        OutcomeSettings.objects.create(organisation=personas.org_a, finished_min_sessions=3)
    assert not row(course.treatment_context_id).finished


def test_a_rolled_back_write_leaves_nothing(personas, course, committed):
    before = row(course.treatment_context_id).attended_sessions
    with committed() as callbacks:
        try:
            with transaction.atomic():
                record_session(course, 2, personas.therapist_a)
                raise RuntimeError("the page failed after the write")
        except RuntimeError:
            pass
    assert callbacks == []
    assert row(course.treatment_context_id).attended_sessions == before
