"""`iptriad report outcomes` writes the JSON contract or the aggregates as CSV; `iptriad outcomes refresh` backfills.
Bad input is refused on stderr with a non-zero exit, as an operator running it by hand would see."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from iptriad.outcomes.models import ContextOutcome
from tests.flags.builders import ATTENDED, course_with_history
from tests.outcomes.builders import outcome_row

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def rows(personas):
    for _ in range(6):
        outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 6), ended_on=dt.date(2026, 10, 1))
    outcome_row(personas.org_a, therapist=personas.therapist_a2, phq9=(9, 17), ended_on=dt.date(2026, 11, 1))
    outcome_row(personas.org_b, therapist=personas.therapist_b, phq9=(18, 6), ended_on=dt.date(2026, 10, 1))


def test_the_json_is_the_reports_contract(rows):
    body = json.loads(run("report", "outcomes", "--org", "alpha", "--format", "json"))
    assert body["organisations"] == ["Alpha Clinic"]
    counts = body["overall"]["counts"]
    assert (counts["contexts"], counts["finished"], counts["recovered"], counts["reliable_improvement"]) == (7, 7, 6, 6)
    assert counts["reliable_deterioration"] is None
    assert "reliable_deterioration" in body["overall"]["suppressed"]
    assert body["overall"]["rates"]["recovery_rate"]["value"] == 1.0  # 6 / (7 finished - 1 not at caseness)


def test_the_period_and_breakdown_are_applied(personas, rows):
    body = json.loads(
        run("report", "outcomes", "--org", "alpha", "--from", "2026-10-15", "--to", "2026-12-31", "--by", "therapist",
            "--format", "json")
    )  # fmt: skip
    assert body["period"] == {"from": "2026-10-15", "to": "2026-12-31"}
    assert body["overall"]["counts"]["contexts"] is None  # 1: suppressed
    assert [row["label"] for row in body["breakdown"]] == [str(personas.therapist_a2)]


def test_the_csv_is_the_aggregates_and_can_go_to_a_file(rows, tmp_path):
    target = tmp_path / "report.csv"
    run("report", "outcomes", "--org", "alpha", "--by", "sex", "--format", "csv", "--output", str(target))
    lines = target.read_text().splitlines()
    assert lines[0].startswith("breakdown,value,label,contexts,")
    assert lines[1].startswith("overall,,Everyone,7,")


def test_the_pdf_goes_to_a_file_and_reads_back(rows, tmp_path):
    from pypdf import PdfReader

    target = tmp_path / "report.pdf"
    run("report", "outcomes", "--org", "alpha", "--format", "pdf", "--output", str(target))
    text = "".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Alpha Clinic" in text
    with pytest.raises(CommandError, match="--format pdf writes a file"):
        call_command("report", "outcomes", "--org", "alpha", "--format", "pdf")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--org", "nowhere"], "No organisation has the slug 'nowhere'"),
        (["--org", "alpha", "--from", "2026-13-01"], "--from must be a date written YYYY-MM-DD"),
        (["--org", "alpha", "--from", "2026-10-01", "--to", "2026-09-01"], "the period ends before it starts"),
        (["--org", "alpha", "--by", "shoe_size"], "--by must be one of therapist"),
    ],
)
def test_bad_input_is_refused_with_a_message(personas, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("report", "outcomes", *args, "--format", "json")


def test_the_console_command_exits_non_zero_with_the_message_on_stderr():
    result = subprocess.run(
        [sys.executable, "-m", "iptriad", "report", "outcomes", "--org", "alpha", "--by", "x", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "--by must be one of" in result.stderr
    assert result.stdout == ""


def test_refresh_backfills_the_rows_of_one_organisation(personas):
    course = course_with_history(
        personas.client_a, personas.therapist_a, opened_on=dt.date(2026, 3, 2), phq9=[(0, 15)], sessions=[ATTENDED]
    )
    assert "Outcomes refreshed for" in run("outcomes", "refresh", "--org", "alpha")
    assert ContextOutcome.objects.filter(treatment_context_id=course.treatment_context_id).exists()
    with pytest.raises(CommandError, match="No organisation"):
        call_command("outcomes", "refresh", "--org", "nowhere")
