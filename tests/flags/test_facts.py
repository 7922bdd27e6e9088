"""The facts the rules read, gathered in bulk: each one right for a course and a group episode, and a fixed number
of queries whatever the number of contexts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptriad.core.flags import Score
from iptriad.flags.facts import gather
from iptriad.measures.models import MeasureSchedule
from iptriad.supervision.models import SupervisionEntry
from tests.conftest import make_client
from tests.flags.builders import ATTENDED, CANCELLED, NO_SHOW, course_with_history, open_alert, review, score
from tests.groups.factories import group_records

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 6)


def test_a_course_s_facts(personas):
    opened = TODAY - dt.timedelta(weeks=6)
    course = course_with_history(
        personas.client_a,
        personas.therapist_a,
        opened_on=opened,
        phq9=[(0, 20), (5, 18)],
        sessions=[ATTENDED, ATTENDED, NO_SHOW, CANCELLED, NO_SHOW],
    )
    open_alert(course)
    review(course.treatment_context_id, course.client_id, personas.therapist_a, personas.supervisor_a, TODAY)
    found = gather([course.treatment_context_id], today=TODAY)[course.treatment_context_id]
    assert (found.kind, found.clinician_id, found.active) == ("course", personas.therapist_a.pk, True)
    facts = found.facts
    assert facts.started_on == opened
    assert list(facts.phq9) == [Score(0, 20), Score(5, 18)]
    assert (facts.sessions_planned, facts.sessions_attended) == (12, 2)
    assert facts.missed_in_a_row == 2  # the cancelled session between the no-shows neither counts nor breaks
    assert (facts.open_alert, facts.unacknowledged_alert) == (True, True)
    assert facts.last_review_on == TODAY


def test_an_attended_session_ends_a_run_of_misses_and_an_acknowledged_alert_is_only_open(personas):
    course = course_with_history(
        personas.client_a, personas.therapist_a, opened_on=TODAY - dt.timedelta(weeks=4), sessions=[NO_SHOW, ATTENDED]
    )
    open_alert(course, acknowledged=True)
    facts = gather([course.treatment_context_id], today=TODAY)[course.treatment_context_id].facts
    assert facts.missed_in_a_row == 0
    assert (facts.open_alert, facts.unacknowledged_alert) == (True, False)
    assert facts.last_review_on is None


def test_overdue_measures_are_those_the_schedule_says(personas):
    course = course_with_history(personas.client_a, personas.therapist_a, opened_on=TODAY - dt.timedelta(weeks=5))
    MeasureSchedule.objects.create(
        organisation_id=course.organisation_id,
        context_id=course.treatment_context_id,
        instrument_code="phq9",
        cadence="weekly",
    )
    score(course, TODAY - dt.timedelta(days=20), 12)
    facts = gather([course.treatment_context_id], today=TODAY)[course.treatment_context_id].facts
    assert facts.overdue_measures == 1
    score(course, TODAY - dt.timedelta(days=3), 11)
    facts = gather([course.treatment_context_id], today=TODAY)[course.treatment_context_id].facts
    assert facts.overdue_measures == 0
    assert facts.measures_overdue_on == TODAY + dt.timedelta(days=11)  # 14 days after the last one


def test_a_group_episode_s_facts(personas):
    records = group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="G-F1"
    )
    member = records.member  # session 1 absent already
    session_2 = records.group.sessions.get(number=2)
    session_2.held_on = session_2.planned_on
    session_2.save()
    from iptriad.groups.models import SessionAttendance
    from iptriad.measures.models import Occasion

    SessionAttendance.objects.create(
        organisation_id=member.organisation_id,
        session=session_2,
        member=member,
        status="absent",
        occasion=Occasion.objects.create(
            organisation_id=member.organisation_id, context_id=member.treatment_context_id
        ),
        recorded_by=personas.facilitator_a,
    )
    found = gather([member.treatment_context_id], today=timezone.localdate())[member.treatment_context_id]
    assert (found.kind, found.clinician_id, found.active) == ("group", personas.facilitator_a.pk, True)
    assert found.facts.started_on == records.group.starts_on
    assert (found.facts.sessions_planned, found.facts.sessions_attended) == (8, 0)
    assert found.facts.missed_in_a_row == 2


def test_gathering_is_a_fixed_number_of_queries_whatever_the_number_of_contexts(personas):
    counts = []
    contexts: list[int] = []
    for batch in (1, 6):
        while len(contexts) < batch:
            number = len(contexts)
            client = make_client(personas.org_a, f"F-{number:03d}", personas.therapist_a)
            course = course_with_history(
                client,
                personas.therapist_a,
                opened_on=TODAY - dt.timedelta(weeks=5),
                phq9=[(0, 20), (4, 19)],
                sessions=[ATTENDED, NO_SHOW],
            )
            open_alert(course)
            review(course.treatment_context_id, client.pk, personas.therapist_a, personas.supervisor_a, TODAY)
            records = group_records(
                personas.org_a,
                facilitator=personas.facilitator_a,
                supervisor=personas.therapist_a,
                identifier=f"FG-{number:03d}",
                label=f"L{number}",
            )
            contexts += [course.treatment_context_id, records.member.treatment_context_id]
        with CaptureQueriesContext(connection) as queries:
            gathered = gather(contexts, today=TODAY)
        assert len(gathered) == len(contexts)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 9


def test_a_meeting_the_facilitator_attended_reviews_their_group_members(personas):
    records = group_records(personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a)
    context_id = records.member.treatment_context_id
    assert gather([context_id], today=TODAY)[context_id].facts.last_review_on is None
    earlier = TODAY - dt.timedelta(days=20)
    entry = SupervisionEntry.objects.create(
        organisation=personas.org_a, held_on=earlier, led_by=personas.supervisor_a, recorded_by=personas.supervisor_a
    )
    entry.attendees.add(personas.therapist_a)  # someone else's meeting reviews nobody of the group
    assert gather([context_id], today=TODAY)[context_id].facts.last_review_on is None
    entry.attendees.add(personas.facilitator_a)
    assert gather([context_id], today=TODAY)[context_id].facts.last_review_on == earlier
