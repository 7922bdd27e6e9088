"""The outcome report's SQL: counts of classified rows, the period, breakdowns with their labels, suppression."""

from __future__ import annotations

import datetime as dt

import pytest

from iptriad.outcomes.report import MISSING_LABELS, NOT_RECORDED, PERIOD_REVERSED, UNKNOWN_BREAKDOWN, outcome_report
from tests.outcomes.builders import outcome_row

pytestmark = pytest.mark.django_db


def test_the_report_counts_the_rows_that_ended_in_the_period(personas) -> None:
    org = personas.org_a
    for _ in range(6):
        outcome_row(org, therapist=personas.therapist_a, phq9=(18, 4))  # recovered, reliably
    outcome_row(org, therapist=personas.therapist_a, phq9=(12, 18))  # deteriorated
    outcome_row(org, therapist=personas.therapist_a2, phq9=(8, 6))  # not a case
    outcome_row(org, therapist=personas.therapist_a2, phq9=(15, None), attended=1)  # reached, not finished
    outcome_row(org, therapist=personas.therapist_a, ended_on=None, phq9=(20, 3))  # still open: not counted
    outcome_row(org, therapist=personas.therapist_a, ended_on=dt.date(2025, 1, 1), phq9=(20, 3))  # before
    outcome_row(personas.org_b, therapist=personas.therapist_b, phq9=(20, 3))  # another organisation

    report = outcome_report([org], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31))
    counts = report.overall
    assert (counts.contexts, counts.reached, counts.finished) == (9, 9, 8)
    assert (counts.at_caseness, counts.not_at_caseness, counts.recovered) == (7, 1, 6)
    assert (counts.reliable_improvement, counts.reliable_recovery, counts.reliable_deterioration) == (6, 6, 1)
    assert (counts.paired, counts.missing_end_score) == (8, 0)
    assert counts.phq9_end_at_most_4_reached == 6
    assert counts.phq9_end_under_10_completed == 7

    body = report.as_json()
    assert body["overall"]["counts"]["recovered"] == 6
    assert body["overall"]["counts"]["reliable_deterioration"] is None  # 1: fewer than 5
    assert "reliable_deterioration" in body["overall"]["suppressed"]
    assert body["overall"]["rates"]["recovery_rate"]["value"] == round(6 / 7, 4)
    assert (
        outcome_report([org], start=dt.date(2026, 1, 1)).as_json(suppress=False)["overall"]["counts"][
            "reliable_deterioration"
        ]
        == 1
    )


def test_a_breakdown_names_each_value_and_keeps_not_recorded_last(personas) -> None:
    org = personas.org_a
    outcome_row(org, therapist=personas.therapist_a, phq9=(18, 4), problem_area="grief")
    outcome_row(org, therapist=personas.therapist_a2, phq9=(18, 4), problem_area="role_dispute")
    outcome_row(org, therapist=None, phq9=(18, 4), problem_area="")
    by_therapist = outcome_report([org], by="therapist")
    names = sorted([str(personas.therapist_a), str(personas.therapist_a2)], key=str.lower)
    assert [row.label for row in by_therapist.rows] == [*names, MISSING_LABELS["therapist"]]
    assert sum(row.counts.contexts for row in by_therapist.rows) == by_therapist.overall.contexts == 3
    assert [row.label for row in outcome_report([org], by="problem_area").rows] == [
        "Grief",
        "Role dispute",
        NOT_RECORDED,
    ]


def test_a_wrong_breakdown_or_a_reversed_period_is_refused_with_its_reason(personas) -> None:
    with pytest.raises(ValueError, match="unknown breakdown 'postcode'"):
        outcome_report([personas.org_a], by="postcode")
    assert "therapist" in UNKNOWN_BREAKDOWN
    with pytest.raises(ValueError, match=PERIOD_REVERSED):
        outcome_report([personas.org_a], start=dt.date(2026, 5, 1), end=dt.date(2026, 4, 1))


def test_a_programmes_report_breaks_down_by_organisation_with_their_names(personas) -> None:
    from iptriad.outcomes.report import UNKNOWN_PROGRAMME_BREAKDOWN

    for _ in range(5):
        outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 4))
    for _ in range(2):
        outcome_row(personas.org_b, therapist=personas.therapist_b, phq9=(18, 4))
    report = outcome_report([personas.org_a, personas.org_b], by="organisation", programme=True)
    assert [(row.label, row.value, row.counts.recovered) for row in report.rows] == [
        ("Alpha Clinic", str(personas.org_a.pk), 5),
        ("Beta Service", str(personas.org_b.pk), 2),
    ]
    assert report.overall.recovered == 7
    breakdown = report.as_json()["breakdown"]
    assert [row["counts"]["recovered"] for row in breakdown] == [5, None]  # 2: fewer than 5
    # Only a programme's report has it: an organisation's offers the other breakdowns.
    with pytest.raises(ValueError, match="unknown breakdown 'organisation'"):
        outcome_report([personas.org_a], by="organisation")
    with pytest.raises(ValueError, match=UNKNOWN_PROGRAMME_BREAKDOWN.format(by="client")[:30]):
        outcome_report([personas.org_a], by="client", programme=True)
