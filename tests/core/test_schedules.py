"""Which session an answer belongs to: the one rule every treatment context's pages and the due rules go by."""

from __future__ import annotations

import datetime as dt

from iptriad.core.schedules import (
    Answer,
    Cadence,
    ScheduleRule,
    SessionHeld,
    due_measures,
    given_measures,
    next_session_number,
    session_given_at,
)

MONDAY = dt.date(2026, 3, 2)


def week(n: int) -> dt.date:
    return MONDAY + dt.timedelta(weeks=n)


# Session 2 was missed: numbers count every recorded session, the due rules count attended ones.
SESSIONS = (
    SessionHeld(occasion=11, number=1, held_on=week(0), attended=True),
    SessionHeld(occasion=12, number=2, held_on=week(1), attended=False),
    SessionHeld(occasion=13, number=3, held_on=week(2), attended=True),
)


class TestSessionGivenAt:
    def test_an_answer_given_in_a_session_shows_against_it(self):
        assert session_given_at(Answer("phq9", 13, week(5)), SESSIONS) == 3

    def test_an_answer_given_outside_a_session_shows_against_the_session_held_that_day(self):
        assert session_given_at(Answer("phq9", None, week(1)), SESSIONS) == 2

    def test_on_a_day_with_no_session_it_shows_against_none(self):
        assert session_given_at(Answer("phq9", None, week(1) + dt.timedelta(days=2)), SESSIONS) is None


class TestGivenMeasures:
    def test_a_measure_counts_for_the_attended_session_it_was_given_in(self):
        (given,) = given_measures([Answer("phq9", 13, week(2))], SESSIONS)
        assert given.session_number == 2  # the second attended session

    def test_given_in_a_missed_session_it_counts_by_its_date(self):
        (given,) = given_measures([Answer("phq9", 12, week(1))], SESSIONS)
        assert given.session_number == 1  # the last attended session on or before that day

    def test_given_after_every_recorded_session_it_counts_for_the_next(self):
        (given,) = given_measures([Answer("phq9", None, week(3))], SESSIONS)
        assert given.session_number == 3

    def test_before_the_first_session_it_counts_for_none(self):
        (given,) = given_measures([Answer("phq9", None, week(0) - dt.timedelta(days=1))], SESSIONS)
        assert given.session_number is None

    def test_with_no_session_yet_it_counts_for_the_first(self):
        (given,) = given_measures([Answer("phq9", None, week(0))], ())
        assert given.session_number == 1


def test_the_next_session_counts_attended_sessions_only():
    assert next_session_number(SESSIONS) == 3
    assert next_session_number(()) == 1


def test_a_measure_given_at_the_next_session_is_no_longer_due():
    rules = [ScheduleRule("phq9", Cadence.EVERY_SESSION)]
    given = given_measures([Answer("phq9", None, week(3))], SESSIONS)
    assert due_measures(rules, next_session=3, sessions_planned=12, given=given, today=week(3)) == ()
