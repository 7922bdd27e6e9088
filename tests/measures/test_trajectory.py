"""Trajectories from constructed series: baseline and latest, and the statuses with the thresholds they state."""

from __future__ import annotations

import datetime as dt

import pytest

from iptriad.core.instruments import instrument
from iptriad.measures.trajectory import MINUS, NOT_JUDGED, TIMES, Score, Trajectory, build_trajectory, signed

START = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)


def series(code: str, *totals: float | None) -> Trajectory:
    """One score a week from START, in sessions 1, 2, 3 ...; None is an administration without a valid total."""
    scores = [
        Score(
            administration_id=number,
            completed_at=START + dt.timedelta(weeks=number - 1),
            session_number=number,
            total=total,
            band="",
        )
        for number, total in enumerate(totals, start=1)
    ]
    return build_trajectory(instrument(code), scores)


def verdict(trajectory: Trajectory, label: str) -> bool | None:
    return next(v.met for v in trajectory.verdicts if v.label == label)


def rule(trajectory: Trajectory, label: str) -> str:
    return next(v.rule for v in trajectory.verdicts if v.label == label)


class TestBaselineAndLatest:
    def test_the_baseline_is_the_first_valid_score_and_the_latest_the_last(self):
        trajectory = series("phq9", None, 18, 15, None, 11, None)
        assert trajectory.baseline is not None
        assert trajectory.latest is not None
        assert trajectory.baseline.score.total == 18
        assert trajectory.latest.score.total == 11
        assert trajectory.change == -7
        assert [point.change for point in trajectory.points] == [None, 0, -3, None, -7, None]
        assert [point.change_display for point in trajectory.points] == [
            "—",
            "Baseline",
            f"{MINUS}3",
            "—",
            f"{MINUS}7",
            "—",
        ]

    def test_scores_are_put_in_time_order_whatever_order_they_come_in(self):
        trajectory = series("phq9", 20, 12)
        reversed_scores = [point.score for point in reversed(trajectory.points)]
        again = build_trajectory(instrument("phq9"), reversed_scores)
        assert again.baseline is not None
        assert again.baseline.score.total == 20

    def test_one_valid_score_judges_nothing_yet(self):
        trajectory = series("phq9", None, 14)
        assert trajectory.status is None
        assert trajectory.verdicts == ()
        assert trajectory.change_summary == ""
        assert "One valid score so far" in " ".join(trajectory.notes)

    def test_no_valid_score_says_so(self):
        trajectory = series("phq9", None)
        assert trajectory.baseline is None
        assert "No valid PHQ-9 score" in " ".join(trajectory.notes)
        assert "no valid score yet" in trajectory.alt_text


class TestPhq9:
    def test_a_fall_of_exactly_6_points_is_a_reliable_improvement(self):
        trajectory = series("phq9", 15, 9)
        assert verdict(trajectory, "Reliable improvement") is True
        assert verdict(trajectory, "Reliable deterioration") is False
        assert rule(trajectory, "Reliable improvement") == "a fall of 6 points or more from the baseline"

    def test_a_fall_of_5_points_is_not(self):
        assert verdict(series("phq9", 15, 10), "Reliable improvement") is False

    def test_a_rise_of_6_points_is_a_reliable_deterioration(self):
        trajectory = series("phq9", 8, 14)
        assert verdict(trajectory, "Reliable deterioration") is True
        assert rule(trajectory, "Reliable deterioration") == "a rise of 6 points or more from the baseline"

    def test_exactly_half_the_baseline_gone_is_a_response(self):
        trajectory = series("phq9", 20, 16, 10)
        assert verdict(trajectory, "Response") is True
        assert rule(trajectory, "Response") == "a fall of 50 % or more from the baseline"
        assert trajectory.change_summary == f"{MINUS}10 points (50 % reduction)"

    def test_less_than_half_is_not_a_response(self):
        assert verdict(series("phq9", 20, 11), "Response") is False

    def test_a_response_cannot_be_judged_from_a_baseline_of_0(self):
        trajectory = series("phq9", 0, 3)
        response = next(v for v in trajectory.verdicts if v.label == "Response")
        assert response.met is None
        assert response.answer == NOT_JUDGED
        assert "baseline of 0" in response.rule

    @pytest.mark.parametrize(("latest", "remission"), [(4, True), (5, False)])
    def test_remission_is_a_latest_score_below_5(self, latest, remission):
        trajectory = series("phq9", 16, latest)
        assert verdict(trajectory, "Remission") is remission
        assert rule(trajectory, "Remission") == "latest score below 5"

    def test_every_verdict_names_its_source(self):
        assert all(v.source for v in series("phq9", 16, 4).verdicts)


class TestOtherInstruments:
    def test_who5_improves_upwards_in_percentage_points(self):
        # Raw 8 -> 11 is 32 % -> 44 %: 12 percentage points, past the 10-point threshold.
        trajectory = series("who5", 8, 11)
        assert verdict(trajectory, "Reliable improvement") is True
        assert verdict(trajectory, "Reliable deterioration") is False
        assert rule(trajectory, "Reliable improvement") == "a rise of 10 percentage points or more from the baseline"
        assert trajectory.change_summary == "+12 percentage points"
        assert any(f"raw total {TIMES} 4" in note for note in trajectory.notes)

    def test_who5_falling_is_a_deterioration(self):
        trajectory = series("who5", 15, 12)
        assert verdict(trajectory, "Reliable deterioration") is True
        assert rule(trajectory, "Reliable deterioration") == "a fall of 10 percentage points or more from the baseline"

    def test_who5_by_2_raw_points_is_not_reliable(self):
        assert verdict(series("who5", 10, 12), "Reliable improvement") is False

    def test_gad7_has_reliable_change_but_no_response_or_remission(self):
        trajectory = series("gad7", 14, 10)
        assert [v.label for v in trajectory.verdicts] == ["Reliable improvement", "Reliable deterioration"]
        assert verdict(trajectory, "Reliable improvement") is True

    def test_an_instrument_without_thresholds_shows_only_the_change(self):
        trajectory = series("wsas", 24, 12)
        assert trajectory.verdicts == ()
        assert trajectory.change_summary == f"{MINUS}12 points (50 % reduction)"
        assert any("no reliable-change, response or remission threshold" in note for note in trajectory.notes)

    def test_an_instrument_without_a_convention_shows_only_the_change(self):
        trajectory = series("phq2", 6, 2)
        assert trajectory.status is None
        assert trajectory.change_summary == f"{MINUS}4 points"
        assert any("no change convention" in note for note in trajectory.notes)

    def test_phqa_is_judged_by_the_phq9_rules_carried_over_and_says_so(self):
        trajectory = series("phqa", 20, 4)
        assert [v.label for v in trajectory.verdicts] == [
            "Reliable improvement",
            "Reliable deterioration",
            "Response",
            "Remission",
        ]
        assert (verdict(trajectory, "Reliable improvement"), verdict(trajectory, "Response")) == (True, True)
        assert verdict(trajectory, "Remission") is True
        assert rule(trajectory, "Reliable improvement") == "a fall of 6 points or more from the baseline"
        assert all(v.source.startswith("the PHQ-9's rule, carried over to the PHQ-A") for v in trajectory.verdicts)
        assert (
            "No change thresholds were published for the PHQ-A: reliable change, response and remission are the "
            "PHQ-9's, carried over; read them with caution."
        ) in trajectory.notes

    def test_phqa_a_fall_of_5_is_not_reliable_and_a_rise_of_6_is_a_deterioration(self):
        assert verdict(series("phqa", 12, 7), "Reliable improvement") is False
        assert verdict(series("phqa", 8, 14), "Reliable deterioration") is True


def test_the_alt_text_summarises_the_series_and_points_to_the_table():
    trajectory = series("phq9", 22, 5)
    assert trajectory.alt_text == (
        "Chart of PHQ-9 totals in this course: 2 scores, from 22 on 1 September 2026, session 1 to 5 on "
        "8 September 2026, session 2. The table below gives every score."
    )


@pytest.mark.parametrize(("value", "text"), [(3, "+3"), (-2.5, f"{MINUS}2.5"), (0, "0"), (0.25, "+0.25")])
def test_changes_are_signed_without_trailing_zeros(value, text):
    assert signed(value) == text
