"""The outcome row of each treatment context, computed from the clinical records: courses, group places (a transfer
is one place), the client's breakdown fields, the first and last valid scores, the organisation's settings."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptriad.core.metrics import METRICS_VERSION
from iptriad.courses.models import Course, ProblemAreaChoice
from iptriad.groups.models import GroupMember, MemberStatus
from iptriad.measures.models import Administration, Mode
from iptriad.outcomes import services
from iptriad.outcomes.facts import gather
from iptriad.outcomes.models import ContextOutcome, OutcomeSettings
from iptriad.outcomes.services import STALE_VERSION, outcomes_refresh, outcomes_refresh_safely, outcomes_stale
from tests.conftest import make_client
from tests.flags.builders import ATTENDED, CANCELLED, NO_SHOW, at, attend, course_with_history, score
from tests.groups.factories import group_records

pytestmark = pytest.mark.django_db
OPENED = dt.date(2026, 3, 2)


def given(course: Course, code: str, day: dt.date, total: float, *, valid: bool = True) -> Administration:
    return Administration.objects.create(
        organisation_id=course.organisation_id,
        client_id=course.client_id,
        context_id=course.treatment_context_id,
        instrument_code=code,
        instrument_version="1",
        mode=Mode.IN_SESSION,
        completed_at=at(day),
        total=Decimal(str(total)),
        valid=valid,
    )


def closed(course: Course, on: dt.date) -> Course:
    Course.objects.filter(pk=course.pk).update(phase="closed", closed_on=on, end_reason="completed")
    course.refresh_from_db()
    return course


def row_of(context_id: int) -> ContextOutcome:
    outcomes_refresh([context_id])
    return ContextOutcome.objects.get(treatment_context_id=context_id)


@pytest.fixture
def course(personas):
    client = make_client(
        personas.org_a, "OUTC-1", personas.therapist_a, sex="female", date_of_birth=dt.date(1990, 6, 1),
        preferred_language="es",
    )  # fmt: skip
    course = course_with_history(
        client,
        personas.therapist_a,
        opened_on=OPENED,
        phq9=[(0, 18), (8, 7)],
        sessions=[ATTENDED, ATTENDED, NO_SHOW, CANCELLED, ATTENDED],
    )
    given(course, "gad7", OPENED, 12)
    given(course, "gad7", OPENED + dt.timedelta(weeks=8), 5)
    for area, chosen in (("grief", OPENED + dt.timedelta(days=20)), ("role_dispute", OPENED + dt.timedelta(days=14))):
        ProblemAreaChoice.objects.create(
            organisation_id=course.organisation_id, course=course, area=area, chosen_on=chosen
        )
    return course


def test_a_closed_course_is_counted_with_its_facts_and_classification(personas, course):
    closed(course, OPENED + dt.timedelta(weeks=9))
    row = row_of(course.treatment_context_id)
    assert (row.kind, row.therapist_id, row.facilitator_id, row.group_id, row.site_id) == (
        "course", personas.therapist_a.pk, None, None, None,
    )  # fmt: skip
    assert (row.adaptation, row.problem_area, row.sex, row.language, row.age_band) == (
        "standard", "role_dispute", "female", "es", "35-44",
    )  # fmt: skip
    assert (row.started_on, row.ended_on) == (OPENED, OPENED + dt.timedelta(weeks=9))
    # Attended: the sessions marked attended; missed: the no-show and the cancelled one.
    assert (row.attended_sessions, row.missed_sessions) == (3, 2)
    assert (row.phq9_first, row.phq9_last, row.gad7_first, row.gad7_last) == (18, 7, 12, 5)
    assert row.finished
    assert row.completed
    assert row.reached
    assert row.at_caseness
    assert row.recovered
    assert row.reliable_improvement
    assert row.reliable_recovery
    assert row.paired
    assert not row.reliable_deterioration
    assert not row.missing_end_score
    assert row.metrics_version == METRICS_VERSION


def test_an_open_course_has_a_row_that_no_period_counts(course):
    row = row_of(course.treatment_context_id)
    assert row.ended_on is None
    assert row.reached
    assert not row.finished
    assert not row.recovered


def test_one_score_alone_is_not_a_pair(personas):
    client = make_client(personas.org_a, "OUTC-2", personas.therapist_a)
    course = course_with_history(
        client, personas.therapist_a, opened_on=OPENED, phq9=[(0, 15)], sessions=[ATTENDED, ATTENDED]
    )
    closed(course, OPENED + dt.timedelta(weeks=3))
    row = row_of(course.treatment_context_id)
    assert (row.phq9_first, row.phq9_last) == (15, 15)
    assert row.finished
    assert row.at_caseness
    assert row.missing_end_score
    assert not row.paired
    assert not row.recovered


def test_only_valid_phq9_and_gad7_totals_count(personas):
    client = make_client(personas.org_a, "OUTC-3", personas.therapist_a, date_of_birth=dt.date(2010, 1, 1))
    course = course_with_history(client, personas.therapist_a, opened_on=OPENED, sessions=[ATTENDED, ATTENDED])
    given(course, "phqa", OPENED, 20)  # IPT-A's PHQ-A: not one of the definitions' measures
    given(course, "phq9", OPENED, 3, valid=False)
    given(course, "phq9", OPENED + dt.timedelta(days=1), 14.5)  # a prorated total, rounded half up
    given(course, "phq9", OPENED + dt.timedelta(weeks=6), 4)
    given(course, "phq9", OPENED + dt.timedelta(weeks=7), 22, valid=False)
    row = row_of(course.treatment_context_id)
    assert (row.phq9_first, row.phq9_last, row.gad7_first) == (15, 4, None)
    assert row.age_band == "under 18"


def test_two_scores_at_the_same_instant_are_not_a_pair(personas):
    client = make_client(personas.org_a, "OUTC-4", personas.therapist_a)
    course = course_with_history(client, personas.therapist_a, opened_on=OPENED, sessions=[ATTENDED, ATTENDED])
    score(course, OPENED, 16)
    score(course, OPENED, 9)
    closed(course, OPENED + dt.timedelta(weeks=2))
    row = row_of(course.treatment_context_id)
    assert (row.phq9_first, row.phq9_last, row.paired) == (16, 9, False)


def test_the_organisations_finished_minimum_applies(personas):
    client = make_client(personas.org_a, "OUTC-5", personas.therapist_a)
    course = course_with_history(
        client, personas.therapist_a, opened_on=OPENED, phq9=[(0, 15), (3, 5)], sessions=[ATTENDED, ATTENDED]
    )
    closed(course, OPENED + dt.timedelta(weeks=3))
    assert row_of(course.treatment_context_id).finished
    OutcomeSettings.objects.create(organisation=personas.org_a, finished_min_sessions=3)
    row = row_of(course.treatment_context_id)
    assert not row.finished
    assert not row.completed
    assert row.reached


@pytest.fixture
def place(personas):
    return group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="G-OUT"
    )


def test_a_group_place_counts_attendance_and_ends_with_the_group(personas, place):
    member = place.member  # session 1: absent
    attend(member, ["present", "make_up", "excused", "present"], personas.facilitator_a)
    row = row_of(member.treatment_context_id)
    assert (row.kind, row.adaptation, row.therapist_id) == ("group", "group", None)
    assert (row.facilitator_id, row.group_id, row.site_id) == (personas.facilitator_a.pk, place.group.pk, place.site.pk)
    assert (row.problem_area, row.attended_sessions, row.missed_sessions) == ("grief", 3, 2)
    assert row.ended_on is None
    assert not row.completed
    GroupMember.objects.filter(pk=member.pk).update(status=MemberStatus.FINISHED, left_on=dt.date(2026, 5, 1))
    row = row_of(member.treatment_context_id)
    assert row.ended_on == dt.date(2026, 5, 1)
    assert row.finished
    assert not row.completed


def test_a_transfer_is_one_place_counted_across_both_groups(personas, place):
    member = place.member
    attend(member, ["present", "present"], personas.facilitator_a)
    GroupMember.objects.filter(pk=member.pk).update(status=MemberStatus.TRANSFERRED)
    other = group_records(
        personas.org_a, facilitator=personas.therapist_a, supervisor=personas.therapist_a, client=member.client,
        label="Second",
    )  # fmt: skip
    moved = other.member
    GroupMember.objects.filter(pk=moved.pk).update(
        treatment_context=member.treatment_context, problem_area="role_dispute"
    )
    GroupMember.objects.filter(pk=member.pk).update(transferred_to=moved)
    row = row_of(member.treatment_context_id)
    assert ContextOutcome.objects.filter(treatment_context_id=member.treatment_context_id).count() == 1
    assert (row.group_id, row.facilitator_id, row.problem_area) == (
        other.group.pk,
        personas.therapist_a.pk,
        "role_dispute",
    )
    # Session 1 absent and two present in the first group; session 1 absent in the second.
    assert (row.attended_sessions, row.missed_sessions) == (2, 2)


@pytest.mark.parametrize("status", [MemberStatus.SCREENING, MemberStatus.NOT_JOINED])
def test_a_member_who_never_joined_has_no_row(place, status):
    context_id = place.member.treatment_context_id
    assert row_of(context_id)
    GroupMember.objects.filter(pk=place.member.pk).update(status=status, not_joining_reason="declined")
    outcomes_refresh([context_id])
    assert not ContextOutcome.objects.filter(treatment_context_id=context_id).exists()


def test_gathering_takes_the_same_queries_for_one_context_and_for_many(personas, place):
    contexts = []
    for number in range(6):
        client = make_client(personas.org_a, f"OUTC-Q{number}", personas.therapist_a)
        course = course_with_history(
            client, personas.therapist_a, opened_on=OPENED, phq9=[(0, 15), (2, 9)], sessions=[ATTENDED, NO_SHOW]
        )
        contexts.append(course.treatment_context_id)
    with CaptureQueriesContext(connection) as one:
        gather([contexts[0], place.member.treatment_context_id])
    with CaptureQueriesContext(connection) as many:
        assert len(gather([*contexts, place.member.treatment_context_id])) == 7
    assert len(one) == len(many) <= 9


def test_refreshing_twice_changes_nothing_but_the_time(course):
    first = row_of(course.treatment_context_id)
    second = row_of(course.treatment_context_id)
    ignored = {"computed_at", "_state"}
    assert {k: v for k, v in vars(first).items() if k not in ignored} == {
        k: v for k, v in vars(second).items() if k not in ignored
    }


def test_rows_of_another_metrics_version_are_stale(course):
    row = row_of(course.treatment_context_id)
    assert course.treatment_context_id not in outcomes_stale()
    ContextOutcome.objects.filter(pk=row.pk).update(metrics_version="0.9.0", recovered=True)
    assert course.treatment_context_id in outcomes_stale(organisation_id=course.organisation_id)
    services.outcomes_recheck()
    assert ContextOutcome.objects.get(pk=row.pk).metrics_version == METRICS_VERSION


def test_a_failed_refresh_is_logged_and_marks_the_row_stale(course, monkeypatch, caplog):
    row = row_of(course.treatment_context_id)

    def broken(ids):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "gather", broken)
    with caplog.at_level(logging.ERROR):
        outcomes_refresh_safely([course.treatment_context_id])
    assert "RuntimeError" in caplog.text
    assert ContextOutcome.objects.get(pk=row.pk).metrics_version == STALE_VERSION
