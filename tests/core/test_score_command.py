"""`iptriad score` and `iptriad instruments`: the command-line contract other tools rely on."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from iptriad.core.instruments import accepted_answer_counts, instruments
from iptriad.core.instruments.cli import main

IPTRIAD = str(Path(sys.executable).with_name("iptriad"))


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), stdout=out, stderr=err)
    return status, out.getvalue(), err.getvalue()


def test_it_prints_one_json_object_with_the_contract_fields():
    status, out, _ = run("score", "phq9", "3", "3", "3", "3", "3", "3", "3", "3", "1", "--json")
    data = json.loads(out)
    assert status == 0
    assert {"instrument", "version", "total", "band", "valid", "missing", "critical", "subscales"} <= set(data)
    assert (data["instrument"], data["total"], data["band"], data["valid"]) == ("phq9", 25, "severe", True)
    assert (data["missing"], data["critical"]) == ([], [9])


def test_it_reports_missing_items_and_a_missing_critical_item_as_not_answered():
    _, out, _ = run("score", "phq9", "1", "2", "-", "0", "0", "0", "0", "0", "-", "--json")
    data = json.loads(out)
    assert data["missing"] == [3, 9]
    assert data["critical"] == []
    assert data["critical_not_answered"] == [9]


def test_an_invalid_total_is_null_not_an_error():
    status, out, _ = run("score", "phq9", "-", "-", "-", "0", "0", "0", "0", "0", "0", "--json")
    data = json.loads(out)
    assert status == 0
    assert (data["total"], data["valid"], data["band"]) == (None, False, None)


def test_it_accepts_the_unscored_difficulty_item_too():
    _, out, _ = run("score", "phq9", "0", "0", "0", "0", "0", "0", "0", "0", "0", "3", "--json")
    assert json.loads(out)["total"] == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("score", "phq9", "1", "2"), "phq9 takes 9 or 10 answers, not 2"),
        (("score", "phq9", "4", "0", "0", "0", "0", "0", "0", "0", "0"), "item 1: position 4 is out of range 0-3"),
        (("score", "nosuch", "1"), "unknown instrument 'nosuch'"),
        (("score", "phq9", "1", "x", "0", "0", "0", "0", "0", "0", "0"), "answer 2 ('x') is not an option position"),
        (
            ("score", "phq9", "1", "1.5", "0", "0", "0", "0", "0", "0", "0"),
            "answer 2 ('1.5') is not an option position",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(argv, message):
    status, out, err = run(*argv)
    assert status == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_it_speaks_to_a_person_without_json():
    _, out, _ = run("score", "phq9", "3", "3", "3", "3", "3", "3", "3", "3", "1")
    assert "Total: 25 (range 0-27) — severe" in out
    assert "RISK: item 9" in out


def test_the_installed_command_answers_without_a_database_or_settings(tmp_path):
    result = subprocess.run(  # noqa: S603
        [IPTRIAD, "score", "phq9", "0", "1", "2", "3", "0", "1", "2", "3", "0", "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"] == 12
    assert list(tmp_path.iterdir()) == []  # no var/ or secret key written


def test_the_installed_command_exits_2_on_bad_input(tmp_path):
    result = subprocess.run([IPTRIAD, "score", "phq9", "9"], capture_output=True, text=True, cwd=tmp_path, check=False)  # noqa: S603
    assert result.returncode == 2
    assert result.stderr.startswith("iptriad score: ")


def test_instruments_lists_every_code():
    status, out, _ = run("instruments")
    assert status == 0
    assert out.splitlines()[0].startswith("phq9") or "phq9" in out


@pytest.mark.parametrize("code", sorted(instruments()))
def test_every_shipped_instrument_honours_the_contract(code):
    definition = instruments()[code]
    if definition.scoring == "social_rhythm":
        answers = ["07:00", "07:30", "09:00", "19:00", "23:00"] * 7
    else:
        answers = ["0"] * accepted_answer_counts(definition)[-1]
    status, out, _ = run("score", code, *answers, "--json")
    data = json.loads(out)
    assert status == 0
    assert {"instrument", "version", "total", "band", "valid", "missing", "critical", "subscales"} <= set(data)
    assert (data["instrument"], data["version"], data["valid"]) == (code, definition.version, True)
    low, high = definition.score_range
    assert low <= data["total"] <= high
    fewest = 35 if definition.scoring == "social_rhythm" else accepted_answer_counts(definition)[0]
    too_few = run("score", code, *answers[: fewest - 1])
    assert too_few[0] == 2
