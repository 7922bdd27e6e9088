"""`iptriad score` and `iptriad instruments`: score answers from the command line, with no database.

    iptriad score CODE A1 A2 ... [--json]

Each Ai is the 0-based position of the chosen option in the order the form prints it, or '-' for an item
left unanswered; for the SRM-5 diary, 35 clock times HH:MM (day 1 activities 1-5, then day 2 ...) or '-' for
"did not do". Bad input (unknown code, wrong count, a position out of range) exits 2 with one line naming
the problem. This module is pure Python so the command answers without starting Django.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from iptriad.core.instruments.loader import UnknownInstrumentError, instrument, instruments
from iptriad.core.instruments.model import Instrument, Scoring
from iptriad.core.instruments.scoring import AnswerError, ScoreResult, accepted_answer_counts, score
from iptriad.core.instruments.social_rhythm import (
    DAYS_PER_WEEK,
    SocialRhythmResult,
    format_clock_time,
    parse_clock_time,
    score_social_rhythm,
)

USAGE_ERROR = 2


def _positions(raw: Sequence[str]) -> list[int | None]:
    positions: list[int | None] = []
    for number, text in enumerate(raw, start=1):
        if text == "-":
            positions.append(None)
        elif text.isdigit():
            positions.append(int(text))
        else:
            raise AnswerError(f"answer {number} ('{text}') is not an option position (0, 1, 2 ...) or '-'")
    return positions


def _week(definition: Instrument, raw: Sequence[str]) -> list[list[int | None]]:
    per_day = len(definition.items)
    if len(raw) != DAYS_PER_WEEK * per_day:
        raise AnswerError(
            f"{definition.code} takes {DAYS_PER_WEEK * per_day} times ({DAYS_PER_WEEK} days x {per_day} activities), "
            f"not {len(raw)}"
        )
    times = [None if text == "-" else parse_clock_time(text) for text in raw]
    return [times[day * per_day : (day + 1) * per_day] for day in range(DAYS_PER_WEEK)]


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def result_as_dict(result: ScoreResult | SocialRhythmResult) -> dict[str, Any]:
    """The JSON contract other tools rely on (docs/instruments.md)."""
    if isinstance(result, SocialRhythmResult):
        return {
            "instrument": result.instrument,
            "version": result.version,
            "total": result.score,
            "band": None,
            "valid": result.valid,
            "missing": [],
            "critical": [],
            "critical_not_answered": [],
            "subscales": {"activity_level_index": result.activity_level_index},
            "habitual_times": {str(n): format_clock_time(m) for n, m in result.habitual_minutes.items()},
            "hits": {str(n): h for n, h in result.hits.items()},
            "reasons": list(result.reasons),
        }
    return {
        "instrument": result.instrument,
        "version": result.version,
        "total": _number(result.total),
        "band": result.band,
        "valid": result.valid,
        "missing": list(result.missing),
        "critical": list(result.critical),
        "critical_not_answered": list(result.critical_not_answered),
        "subscales": {code: _number(value) for code, value in result.subscales.items()},
        "prorated": result.prorated,
        "derived": {key: _number(value) for key, value in result.derived.items()},
        "reasons": list(result.reasons),
        "basis": result.basis,
    }


def _for_a_person(definition: Instrument, data: dict[str, Any]) -> str:
    low, high = (_number(v) for v in definition.score_range)
    lines = [f"{definition.short_name} ({definition.code}, version {data['version']})"]
    if data["valid"]:
        band = f" — {data['band']}" if data["band"] else ""
        lines.append(f"Total: {data['total']} (range {low}-{high}){band}")
        if data.get("basis"):
            lines.append(f"Basis of the total: {data['basis']}.")
    else:
        lines.append("Total: not valid — " + "; ".join(data["reasons"]))
    for key, value in data.get("derived", {}).items():
        lines.append(f"{key.capitalize()}: {value}")
    missing = ", ".join(str(n) for n in data["missing"]) or "none"
    lines.append(f"Unanswered items: {missing}")
    if data["critical"]:
        items = ", ".join(str(n) for n in data["critical"])
        lines.append(f"RISK: item {items} answered positively: a clinician must assess risk today.")
    if data["critical_not_answered"]:
        items = ", ".join(str(n) for n in data["critical_not_answered"])
        lines.append(f"Risk item {items}: not answered (ask it; never read as 0).")
    for code, value in data["subscales"].items():
        lines.append(f"Subscale {code}: {value if value is not None else 'not scored'}")
    for number, time in data.get("habitual_times", {}).items():
        lines.append(f"Activity {number}: habitual time {time}, {data['hits'][number]} hits")
    return "\n".join(lines)


def score_command(code: str, raw_answers: Sequence[str]) -> tuple[Instrument, dict[str, Any]]:
    definition = instrument(code)
    if definition.scoring == Scoring.SOCIAL_RHYTHM:
        return definition, result_as_dict(score_social_rhythm(definition, _week(definition, raw_answers)))
    return definition, result_as_dict(score(definition, _positions(raw_answers)))


def _instruments_listing() -> str:
    lines = []
    for definition in instruments().values():
        if definition.scoring == Scoring.SOCIAL_RHYTHM:
            answers = f"{DAYS_PER_WEEK * len(definition.items)} times"
        else:
            answers = " or ".join(str(n) for n in accepted_answer_counts(definition)) + " answers"
        lines.append(f"{definition.code:<8} {definition.short_name:<10} {answers:<18} {definition.name}")
    return "\n".join(lines)


def main(argv: Sequence[str], stdout: TextIO = sys.stdout, stderr: TextIO = sys.stderr) -> int:
    parser = argparse.ArgumentParser(prog="iptriad")
    commands = parser.add_subparsers(dest="command", required=True)
    scorer = commands.add_parser("score", help="score one administration of an instrument")
    scorer.add_argument("code", help="instrument code, e.g. phq9 (see `iptriad instruments`)")
    scorer.add_argument("answers", nargs="*", help="0-based option positions, '-' for unanswered")
    scorer.add_argument("--json", action="store_true", help="print one JSON object")
    commands.add_parser("instruments", help="list the instrument codes")
    args = parser.parse_args(list(argv))
    if args.command == "instruments":
        stdout.write(_instruments_listing() + "\n")
        return 0
    try:
        definition, data = score_command(args.code, args.answers)
    except (AnswerError, UnknownInstrumentError) as error:
        stderr.write(f"iptriad score: {error}\n")
        return USAGE_ERROR
    stdout.write((json.dumps(data, ensure_ascii=False) if args.json else _for_a_person(definition, data)) + "\n")
    return 0
