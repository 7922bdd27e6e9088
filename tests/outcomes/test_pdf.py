"""The PDF report, read back with pypdf: the title, scope, figures with their formulas, suppressed counts, the
breakdown, a chart, the definitions, the decisions and the metrics version."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from iptriad.core.metrics import DECISIONS, METRICS_VERSION
from iptriad.outcomes.pdf import render_report_pdf
from iptriad.outcomes.report import OutcomeReport, outcome_report
from tests.outcomes.builders import outcome_row

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # Lines break where ReportLab wraps them: compare with single spaces.
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _report(personas, **choice) -> OutcomeReport:
    for _ in range(6):
        outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 4), missed=1)
    outcome_row(personas.org_a, therapist=personas.therapist_a2, phq9=(12, 18))
    return outcome_report([personas.org_a], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), **choice)


def test_it_prints_the_figures_with_their_formulas_and_the_counts_suppressed(personas):
    pdf = render_report_pdf(_report(personas))
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    assert "Outcome report" in text
    assert "Organisations: Alpha Clinic" in text
    assert "1 January 2026 to 31 December 2026" in text
    assert "Recovery rate 85.7% 6 of 7" in text
    assert "recovered / (finished - not at caseness at the start)" in text
    assert "Reliable deterioration not shown fewer than 5 of 7" in text
    assert "Missing end score: fewer than 5" in text
    assert f"metrics version {METRICS_VERSION}" in text


def test_it_prints_the_breakdown_its_charts_the_definitions_and_decisions(personas):
    text = _text(render_report_pdf(_report(personas, by="therapist")))
    assert "By therapist" in text
    assert "Tara Alpha 6 6 6 6 6 fewer than 5 100.0%" in text  # contexts, finished, at caseness, recovered, ...
    assert "Recovery rate by therapist" in text  # a chart's title, then its bars' labels and values
    assert "Outcome rates, everyone" in text
    assert "not shown (fewer than 5 or none)" in text
    assert "Recovered: Recovered: at caseness at the start" in text
    for decision in DECISIONS:
        assert " ".join(decision.split()) in text


def test_names_from_the_database_print_as_written(personas):
    org = personas.org_a
    org.name = "Clinic <b>&amp; Zoë's"
    org.save()
    personas.therapist_a.full_name = "Ana <i>Núñez</i> & co"
    personas.therapist_a.save()
    text = _text(render_report_pdf(_report(personas, by="therapist")))
    assert "Clinic <b>&amp; Zoë's" in text
    assert "Ana <i>Núñez</i> & co" in text


def test_an_empty_period_still_prints(personas):
    report = outcome_report([personas.org_a], start=dt.date(2020, 1, 1), end=dt.date(2020, 1, 31), by="site")
    text = _text(render_report_pdf(report))
    assert "Recovery rate not shown" in text
    assert "No course or group place ended in the period." in text
