"""Reads for sessions: scoping, the counts, the measures due beside the form and the protocol names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from iptriad.accounts.permissions import Action
from iptriad.core.protocol import Phase
from iptriad.courses.models import CourseSession, ProblemAreaChoice
from iptriad.courses.models.sessions import Attendance
from iptriad.courses.selectors.sessions import (
    course_session_get,
    course_sessions,
    session_panel,
    strategies_named,
    strategy_groups,
    techniques_named,
)
from iptriad.measures.models import Administration, MeasureSchedule, Mode
from tests.courses.factories import OPENED, full_course, occasion_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def records(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    MeasureSchedule.objects.create(
        organisation=personas.org_a,
        context=records.course.treatment_context,
        instrument_code="phq9",
        cadence="every_session",
    )
    return records


def given(records, on: dt.date, session: CourseSession | None = None) -> Administration:
    return Administration.objects.create(
        organisation_id=records.course.organisation_id,
        client=records.course.client,
        context=records.course.treatment_context,
        occasion=session.occasion if session is not None else None,
        instrument_code="phq9",
        instrument_version="1",
        mode=Mode.IN_SESSION,
        valid=True,
        completed_at=dt.datetime.combine(on, dt.time(10), tzinfo=dt.UTC),
    )


def due_codes(personas, records) -> list[tuple[str, bool]]:
    panel = session_panel(actor=personas.actor(personas.therapist_a), course=records.course)
    return [(due.code, due.overdue) for due in panel.due]


class TestMeasuresDue:
    def test_a_measure_given_at_the_last_session_is_due_again_at_the_next(self, personas, records):
        given(records, OPENED, records.session)
        assert due_codes(personas, records) == [("phq9", False)]

    def test_a_measure_missed_at_the_last_session_is_overdue(self, personas, records):
        assert due_codes(personas, records) == [("phq9", True)]

    def test_a_measure_given_since_the_last_session_counts_for_the_next(self, personas, records):
        given(records, OPENED, records.session)
        given(records, dt.date(2026, 11, 26))
        assert due_codes(personas, records) == []

    def test_a_measure_given_on_the_day_of_a_session_counts_for_that_session(self, personas, records):
        given(records, OPENED)
        assert due_codes(personas, records) == [("phq9", False)]

    def test_an_inactive_schedule_is_not_due(self, personas, records):
        MeasureSchedule.objects.update(active=False)
        assert due_codes(personas, records) == []

    def test_cancelled_sessions_do_not_count_toward_the_contract(self, personas, records):
        CourseSession.objects.create(
            organisation=personas.org_a,
            course=records.course,
            occasion=occasion_for(records.course),
            number=2,
            held_on=dt.date(2026, 9, 8),
            phase=Phase.MIDDLE,
            attendance=Attendance.CANCELLED,
            note="Ill.",
            recorded_by=personas.therapist_a,
        )
        panel = session_panel(actor=personas.actor(personas.therapist_a), course=records.course)
        assert (panel.counts.next_number, panel.counts.attended, panel.counts.not_attended) == (3, 1, 1)
        assert panel.guide is not None
        assert panel.guide.session_number == 2

    def test_a_closed_course_has_no_guide_and_nothing_due(self, personas, records):
        records.course.phase = Phase.CLOSED
        records.course.closed_on = dt.date(2026, 11, 1)
        records.course.end_reason = "completed"
        records.course.save()
        panel = session_panel(actor=personas.actor(personas.therapist_a), course=records.course)
        assert (panel.guide, panel.due) == (None, ())


class TestScope:
    @pytest.mark.parametrize("who", ["therapist_a2", "admin_a", "facilitator_a"])
    def test_a_session_of_someone_elses_course_is_a_404(self, personas, records, who):
        with pytest.raises(Http404):
            course_session_get(actor=personas.actor(getattr(personas, who)), session_id=records.session.pk)
        assert course_sessions(actor=personas.actor(getattr(personas, who)), course=records.course) == []

    def test_another_organisations_session_is_a_404(self, personas, records):
        actor = personas.actor(personas.therapist_b, personas.org_b)
        with pytest.raises(Http404):
            course_session_get(actor=actor, session_id=records.session.pk, action=Action.VIEW)

    def test_a_supervisor_reads_every_session_of_the_organisation(self, personas, records):
        session = course_session_get(actor=personas.actor(personas.supervisor_a), session_id=records.session.pk)
        assert session == records.session


class TestProtocolNames:
    def test_strategies_and_techniques_read_as_the_protocol_words_them(self):
        named = strategies_named(["grief.strategy.feelings", "lost.id"])
        assert (named[0].area, named[1].text) == ("Grief", "lost.id")
        assert named[0].text.startswith("Draw out feelings")
        assert techniques_named(["role_play", "lost"]) == ("Role play", "lost")

    def test_an_edited_session_keeps_the_strategies_of_an_area_that_ended(self, personas, records):
        ProblemAreaChoice.objects.update(active=False)
        panel = session_panel(actor=personas.actor(personas.therapist_a), course=records.course)
        assert strategy_groups(panel.areas) == ()
        groups = strategy_groups(panel.areas, keep=["role_transition.strategy.skills"])
        assert [group.area for group in groups] == ["Role transitions (no longer an active focus)"]
        assert [choice for choice, _ in groups[0].choices] == ["role_transition.strategy.skills"]
