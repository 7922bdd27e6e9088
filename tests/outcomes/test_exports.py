"""The CSV exports: the aggregates as the report gives them (suppressed), and de-identified rows naming no client."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from iptriad.outcomes.exports import ROW_HEADER, aggregates_csv, rows_csv
from iptriad.outcomes.report import outcome_report
from tests.outcomes.builders import outcome_row

pytestmark = pytest.mark.django_db


def test_the_aggregates_csv_has_a_line_for_everyone_and_each_value_with_small_counts_suppressed(personas) -> None:
    org = personas.org_a
    for _ in range(5):
        outcome_row(org, therapist=personas.therapist_a, phq9=(18, 4))
    outcome_row(org, therapist=personas.therapist_a2, phq9=(12, 18))
    lines = list(csv.DictReader(aggregates_csv(outcome_report([org], by="therapist"))))
    assert [line["label"] for line in lines] == ["Everyone", str(personas.therapist_a), str(personas.therapist_a2)]
    assert lines[0]["finished"] == "6"
    assert lines[0]["recovered"] == "5"
    assert lines[0]["reliable_deterioration"] == "fewer than 5"
    assert lines[2]["finished"] == "fewer than 5"
    assert lines[2]["recovery_rate"] == ""  # built on a suppressed count: not shown
    assert lines[1]["recovery_rate"] == "1.0000"


def test_a_row_per_context_names_no_client_and_keeps_to_the_period(personas) -> None:
    org = personas.org_a
    kept = outcome_row(org, therapist=personas.therapist_a, phq9=(18, 4), ended_on=dt.date(2026, 3, 9))
    outcome_row(org, therapist=personas.therapist_a, phq9=(18, 4), ended_on=dt.date(2025, 3, 9))
    outcome_row(personas.org_b, therapist=personas.therapist_b, phq9=(18, 4), ended_on=dt.date(2026, 3, 9))
    text = "".join(rows_csv([org], start=dt.date(2026, 1, 1), end=None))
    lines = list(csv.DictReader(text.splitlines()))
    assert tuple(lines[0]) == ROW_HEADER
    assert len(lines) == 1
    assert lines[0]["ended_month"] == "2026-03"
    assert (lines[0]["phq9_first"], lines[0]["phq9_last"], lines[0]["recovered"]) == ("18", "4", "1")
    client = kept.client
    for secret in (client.given_name, client.family_name, client.identifier, str(client.date_of_birth)):
        assert secret not in text
