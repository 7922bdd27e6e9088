"""The supervisor's sample and a clinician's reminders: deterministic, newest first, a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.core.fidelity import Answer
from iptriad.courses.models import CourseSession
from iptriad.fidelity.models import FidelityRating
from iptriad.fidelity.selectors.queue import self_ratings_due, sessions_to_rate
from iptriad.fidelity.selectors.ratings import latest_ratings
from iptriad.fidelity.selectors.sessions import checklist_for, rated_session_get
from iptriad.fidelity.services.ratings import rating_record
from iptriad.fidelity.services.sampling import sampling_rule_set
from tests.conftest import Personas, make_client
from tests.courses.factories import full_course
from tests.fidelity.factories import all_answered, held_sessions
from tests.groups.factories import group_records

pytestmark = pytest.mark.django_db


def _rate(actor: Actor, session_row: CourseSession, answer: Answer = Answer.DONE) -> FidelityRating:
    session = rated_session_get(actor=actor, kind="individual", session_id=session_row.pk)
    return rating_record(actor=actor, session=session, answers=all_answered(checklist_for(session), answer))


@pytest.fixture
def sessions(personas):
    course = full_course(personas.client_a, personas.therapist_a).course
    course.sessions.update(attendance="no_show")  # the factory's session 1: not counted
    return held_sessions(course, 9, first_day=timezone.localdate() - dt.timedelta(weeks=9))


def _queued(personas: Personas) -> list[int]:
    queue, _more = sessions_to_rate(actor=personas.actor(personas.supervisor_a))
    return [entry.session_id for entry in queue]


def test_every_fourth_session_a_person_led_is_sampled_newest_first_by_default(personas, sessions):
    assert _queued(personas) == [sessions[7].pk, sessions[3].pk]


def test_the_persons_own_rule_wins_over_the_default_and_rating_moves_nothing(personas, sessions):
    supervisor = personas.actor(personas.supervisor_a)
    sampling_rule_set(actor=supervisor, one_in=2)
    sampling_rule_set(actor=supervisor, one_in=3, clinician=personas.therapist_a)
    assert _queued(personas) == [sessions[8].pk, sessions[5].pk, sessions[2].pk]
    _rate(supervisor, sessions[5])
    assert _queued(personas) == [sessions[8].pk, sessions[2].pk]


def test_a_session_self_rated_low_joins_the_queue_whatever_its_place(personas, sessions):
    _rate(personas.actor(personas.therapist_a), sessions[0], Answer.NOT_DONE)
    _rate(personas.actor(personas.therapist_a), sessions[1], Answer.DONE)
    queue, _ = sessions_to_rate(actor=personas.actor(personas.supervisor_a))
    assert [(entry.session_id, entry.reason) for entry in queue] == [
        (sessions[7].pk, "In the sample"),
        (sessions[3].pk, "In the sample"),
        (sessions[0].pk, "Self-rated low (0.0%)"),
    ]


def test_group_sessions_are_sampled_by_their_lead_facilitator(personas):
    records = group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="G1"
    )
    sampling_rule_set(actor=personas.actor(personas.supervisor_a), one_in=1)
    queue, _ = sessions_to_rate(actor=personas.actor(personas.supervisor_a))
    assert [(entry.kind, entry.session_id, entry.clinician_name) for entry in queue] == [
        ("group", records.session.pk, personas.facilitator_a.full_name)
    ]


def test_only_supervisors_have_a_queue(personas, sessions):
    for user in (personas.therapist_a, personas.facilitator_a, personas.admin_a):
        assert sessions_to_rate(actor=personas.actor(user)) == ([], False)


def test_reminders_list_the_clinicians_own_unrated_sessions_of_the_last_30_days(personas, sessions):
    _rate(personas.actor(personas.therapist_a), sessions[8])
    due = self_ratings_due(actor=personas.actor(personas.therapist_a))
    # sessions a week apart ending a week ago: the last 30 days hold sessions 6 to 9 (index 5..8); 9 is rated.
    assert [entry.session_id for entry in due] == [sessions[7].pk, sessions[6].pk, sessions[5].pk]
    assert self_ratings_due(actor=personas.actor(personas.therapist_a2)) == []


def test_the_queue_costs_the_same_queries_for_one_course_and_for_twenty(personas, sessions):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            sessions_to_rate(actor=personas.actor(personas.supervisor_a))
        return len(captured)

    small = count()
    for index in range(20):
        client = make_client(personas.org_a, f"A-Q{index}", personas.therapist_a2)
        held_sessions(full_course(client, personas.therapist_a2).course, 5)
    assert count() == small


def test_latest_ratings_gives_each_clinicians_newest_in_one_query(personas, sessions):
    therapist = personas.actor(personas.therapist_a)
    rated = [_rate(therapist, session) for session in sessions[:4]]
    with CaptureQueriesContext(connection) as captured:
        latest = latest_ratings(personas.org_a, [personas.therapist_a.pk, personas.facilitator_a.pk], per_person=3)
    assert len(captured) == 1
    assert latest[personas.facilitator_a.pk] == []
    assert [rating.pk for rating in latest[personas.therapist_a.pk]] == [rating.pk for rating in rated[::-1][:3]]
    assert latest_ratings(personas.org_b, [personas.therapist_a.pk]) == {personas.therapist_a.pk: []}
