"""The outcome metrics module: the reference's worked example, each definition, and small-count suppression."""

from __future__ import annotations

import pytest

from iptriad.core.metrics import (
    SUPPRESSED_TEXT,
    CohortCounts,
    ContextFacts,
    classify,
    rate_of,
    rates,
    shown_count,
)


def test_the_worked_example_gives_51_6_percent() -> None:
    # programmes.md 3: 23,291 / (48,111 - 2,957) = 51.6% (NHS Digital, December 2020).
    counts = CohortCounts(finished=48_111, not_at_caseness=2_957, recovered=23_291)
    rate = rate_of(counts, "recovery_rate")
    assert rate.denominator == 45_154
    assert rate.percent == "51.6%"
    assert rate.formula == "recovered / (finished - not at caseness at the start)"


def facts(**overrides: object) -> ContextFacts:
    values: dict[str, object] = {
        "ended": True,
        "attended_sessions": 8,
        "finished_min_sessions": 2,
        "completed_at_least": 2,
    }
    values.update(overrides)
    return ContextFacts(**values)  # type: ignore[arg-type]


def test_a_case_who_ends_below_caseness_and_reliably_better_is_reliably_recovered() -> None:
    result = classify(facts(phq9_first=18, phq9_last=6, phq9_paired=True))
    assert (result.finished, result.at_caseness, result.recovered) == (True, True, True)
    assert (result.reliable_improvement, result.reliable_recovery, result.reliable_deterioration) == (True, True, False)
    assert (result.paired, result.missing_end_score) == (True, False)
    assert (result.phq9_end_at_most_4, result.phq9_end_under_10) == (False, True)


def test_recovery_without_reliable_change_is_not_reliable_recovery() -> None:
    result = classify(facts(phq9_first=11, phq9_last=8, phq9_paired=True))
    assert (result.recovered, result.reliable_improvement, result.reliable_recovery) == (True, False, False)


def test_a_rise_of_six_is_reliable_deterioration_and_cancels_improvement_on_the_other_measure() -> None:
    result = classify(facts(phq9_first=8, phq9_last=14, phq9_paired=True, gad7_first=15, gad7_last=5, gad7_paired=True))
    assert (result.reliable_deterioration, result.reliable_improvement) == (True, False)


def test_one_score_alone_judges_caseness_but_no_change() -> None:
    result = classify(facts(phq9_first=20, phq9_last=20, phq9_paired=False))
    assert (result.at_caseness, result.recovered, result.reliable_deterioration) == (True, False, False)
    assert (result.paired, result.missing_end_score) == (False, True)


@pytest.mark.parametrize(("attended", "ended", "finished"), [(1, True, False), (2, True, True), (9, False, False)])
def test_finished_means_ended_after_the_minimum_of_attended_sessions(
    attended: int, ended: bool, finished: bool
) -> None:
    result = classify(facts(attended_sessions=attended, ended=ended, phq9_first=15, phq9_last=3, phq9_paired=True))
    assert result.finished is finished
    assert result.recovered is finished  # outcomes count only among finished
    assert result.reached is True


def test_a_measure_given_at_the_start_only_leaves_the_outcome_unknown() -> None:
    result = classify(facts(phq9_first=18, phq9_last=4, phq9_paired=True, gad7_first=12, gad7_last=12))
    assert (result.at_caseness, result.recovered, result.reliable_improvement) == (True, False, False)
    assert result.missing_end_score is True


def test_a_group_place_completes_at_the_groups_own_minimum() -> None:
    assert classify(facts(attended_sessions=5, completed_at_least=6)).completed is False
    assert classify(facts(attended_sessions=6, completed_at_least=6)).completed is True


def test_small_counts_are_shown_as_fewer_than_5_and_their_rates_are_not_shown() -> None:
    assert shown_count(0) == SUPPRESSED_TEXT
    assert shown_count(4) == SUPPRESSED_TEXT
    assert shown_count(5) == "5"
    assert shown_count(4, suppress=False) == "4"
    counts = CohortCounts(finished=20, not_at_caseness=2, recovered=4, reliable_improvement=12)
    assert rate_of(counts, "recovery_rate").value is None
    assert rate_of(counts, "reliable_improvement_rate").percent == "60.0%"
    assert rate_of(counts, "recovery_rate", suppress=False).percent == "22.2%"
    assert {rate.key for rate in rates(counts)} >= {"recovery_rate", "reliable_recovery_rate", "paired_completeness"}
