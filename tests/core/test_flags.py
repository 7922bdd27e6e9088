"""The not-on-track rules (issue 13): each fires on the reference's thresholds and not below them."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from iptriad.core.flags import (
    RULES,
    SEVERITY,
    SUGGESTIONS,
    CourseFacts,
    FlagCode,
    Score,
    evaluate,
    recheck_on,
    rule,
    severity,
    worst,
)

TODAY = dt.date(2026, 12, 6)
CALM = CourseFacts(
    started_on=TODAY - dt.timedelta(days=10),
    phq9=[Score(0, 15)],
    sessions_planned=12,
    sessions_attended=2,
    missed_in_a_row=0,
    overdue_measures=0,
    open_alert=False,
    unacknowledged_alert=False,
    last_review_on=None,
)


def codes(facts: CourseFacts) -> list[FlagCode]:
    return [flag.code for flag in evaluate(facts, today=TODAY)]


def test_a_course_on_track_raises_nothing():
    assert codes(CALM) == []


def test_every_rule_has_words_a_source_and_a_suggestion():
    assert {rule.code for rule in RULES} == set(FlagCode)
    for each in RULES:
        assert each.rule
        assert each.source
        assert SUGGESTIONS[each.code]
        assert all(suggestion.source for suggestion in SUGGESTIONS[each.code])


@pytest.mark.parametrize(
    ("week", "total", "fires"),
    [(3, 20, False), (4, 17, True), (4, 16, False), (9, 13, True), (9, 12, False), (14, 9, True), (14, 8, False)],
)
def test_early_non_response_follows_the_week_thresholds(week, total, fires):
    facts = dataclasses.replace(CALM, phq9=[Score(0, 22), Score(week, total)])
    assert (FlagCode.EARLY_NON_RESPONSE in codes(facts)) is fires


def test_reliable_deterioration_needs_the_reliable_change_value():
    assert FlagCode.RELIABLE_DETERIORATION in codes(dataclasses.replace(CALM, phq9=[Score(0, 8), Score(2, 14)]))
    assert FlagCode.RELIABLE_DETERIORATION not in codes(dataclasses.replace(CALM, phq9=[Score(0, 8), Score(2, 10)]))


def test_no_response_at_the_midpoint_is_neither_below_10_nor_halved():
    midpoint = dataclasses.replace(CALM, sessions_attended=6)
    assert FlagCode.NO_RESPONSE_AT_MIDPOINT in codes(dataclasses.replace(midpoint, phq9=[Score(0, 20), Score(6, 12)]))
    assert FlagCode.NO_RESPONSE_AT_MIDPOINT not in codes(
        dataclasses.replace(midpoint, phq9=[Score(0, 20), Score(6, 10)])
    )
    assert FlagCode.NO_RESPONSE_AT_MIDPOINT not in codes(
        dataclasses.replace(midpoint, phq9=[Score(0, 24), Score(6, 9)])
    )
    before = dataclasses.replace(CALM, sessions_attended=5, phq9=[Score(0, 20), Score(5, 19)])
    assert FlagCode.NO_RESPONSE_AT_MIDPOINT not in codes(before)


def test_sessions_alerts_measures_and_reviews():
    facts = dataclasses.replace(
        CALM,
        missed_in_a_row=2,
        overdue_measures=1,
        open_alert=True,
        unacknowledged_alert=True,
        started_on=TODAY - dt.timedelta(days=40),
        last_review_on=TODAY - dt.timedelta(days=14),
    )
    assert codes(facts) == [
        FlagCode.SELF_HARM,
        FlagCode.MISSED_SESSIONS,
        FlagCode.OVERDUE_MEASURES,
        FlagCode.ALERT_UNACKNOWLEDGED,
        FlagCode.NO_SUPERVISORY_REVIEW,
    ]
    reviewed = dataclasses.replace(facts, last_review_on=TODAY - dt.timedelta(days=13))
    assert FlagCode.NO_SUPERVISORY_REVIEW not in codes(reviewed)
    assert rule(FlagCode.MISSED_SESSIONS).title == "Two or more missed sessions"


def test_the_order_of_gravity_names_every_rule_once_with_why():
    assert [code for code, _ in SEVERITY] == list(dict.fromkeys(code for code, _ in SEVERITY))
    assert {code for code, _ in SEVERITY} == set(FlagCode)
    assert all(why for _, why in SEVERITY)
    assert severity(FlagCode.SELF_HARM) == 1
    assert severity(FlagCode.ALERT_UNACKNOWLEDGED) < severity(FlagCode.RELIABLE_DETERIORATION)
    assert severity(FlagCode.NO_SUPERVISORY_REVIEW) < severity(FlagCode.OVERDUE_MEASURES)


def test_worst_is_the_gravest_flag_s_rank():
    facts = dataclasses.replace(CALM, overdue_measures=1, missed_in_a_row=2)
    assert worst(evaluate(facts, today=TODAY)) == severity(FlagCode.MISSED_SESSIONS)
    assert worst(evaluate(CALM, today=TODAY)) is None


def test_recheck_is_the_day_the_review_turns_14_days_old():
    assert recheck_on(CALM, today=TODAY) == CALM.started_on + dt.timedelta(days=14)
    reviewed = dataclasses.replace(CALM, last_review_on=TODAY - dt.timedelta(days=3))
    assert recheck_on(reviewed, today=TODAY) == TODAY + dt.timedelta(days=11)


def test_recheck_is_the_earlier_of_the_review_and_a_weekly_measure_falling_overdue():
    facts = dataclasses.replace(CALM, measures_overdue_on=TODAY + dt.timedelta(days=2))
    assert recheck_on(facts, today=TODAY) == TODAY + dt.timedelta(days=2)


def test_nothing_changes_with_time_alone_once_the_review_flag_fires_and_no_measure_is_pending():
    old = dataclasses.replace(CALM, started_on=TODAY - dt.timedelta(days=40))
    assert FlagCode.NO_SUPERVISORY_REVIEW in codes(old)
    assert recheck_on(old, today=TODAY) is None
