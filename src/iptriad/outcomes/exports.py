"""CSV exports of outcomes, written line by line so memory does not grow with the data.

Two files: the aggregates of a report (suppressed like every page), and one de-identified row per treatment context
of the cohort. A row names no client (no name, identifier, date of birth or client id: a random-free sequence
number within the file), only what a report breaks down by, the dates as months, the scores and the
classification; a person who may see it is one who may see the organisation's clinical figures (the views decide).
The rows are read from the database in chunks through a server-side cursor on PostgreSQL (``iterator``).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from datetime import date
from io import StringIO
from typing import Any

from iptriad.accounts.models import Organisation
from iptriad.core.metrics import METRICS_VERSION, CohortCounts, is_suppressed, rates
from iptriad.outcomes.report import OutcomeReport, cohort

CHUNK = 2000


class _Line:
    """A file-like object that hands back what csv.writer wrote, one line at a time."""

    def __init__(self) -> None:
        self.buffer = StringIO()

    def write(self, text: str) -> None:
        self.buffer.write(text)

    def take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def _lines(rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    line = _Line()
    writer = csv.writer(line)
    for row in rows:
        writer.writerow(row)
        yield line.take()


# ---------------------------------------------------------------------------------------------------------------
# The aggregates
# ---------------------------------------------------------------------------------------------------------------

COUNT_NAMES = CohortCounts.count_names()
RATE_KEYS = tuple(rate.key for rate in rates(CohortCounts()))


def _cohort_cells(counts: CohortCounts, *, suppress: bool) -> list[str]:
    values = asdict(counts)
    cells = ["fewer than 5" if suppress and is_suppressed(values[name]) else str(values[name]) for name in COUNT_NAMES]
    for rate in rates(counts, suppress=suppress):
        cells.append("" if rate.value is None else f"{rate.value:.4f}")
    return cells


def aggregates_csv(report: OutcomeReport, *, suppress: bool = True) -> Iterator[str]:
    """The report as CSV: a line for everyone, then one per breakdown value; counts under 5 as "fewer than 5"."""
    header = ["breakdown", "value", "label", *COUNT_NAMES, *RATE_KEYS]

    def rows() -> Iterator[list[str]]:
        yield header
        yield ["overall", "", "Everyone", *_cohort_cells(report.overall, suppress=suppress)]
        for row in report.rows:
            yield [report.by or "", row.value, row.label, *_cohort_cells(row.counts, suppress=suppress)]

    return _lines(rows())


# ---------------------------------------------------------------------------------------------------------------
# One de-identified row per treatment context
# ---------------------------------------------------------------------------------------------------------------

ROW_FIELDS = (
    "kind",
    "problem_area",
    "adaptation",
    "sex",
    "age_band",
    "language",
    "attended_sessions",
    "missed_sessions",
    "phq9_first",
    "phq9_last",
    "gad7_first",
    "gad7_last",
    "reached",
    "completed",
    "finished",
    "at_caseness",
    "not_at_caseness",
    "recovered",
    "reliable_improvement",
    "reliable_deterioration",
    "reliable_recovery",
    "paired",
    "missing_end_score",
    "metrics_version",
)
ROW_HEADER = ("row", "organisation", "started_month", "ended_month", *ROW_FIELDS)


def _month(day: date | None) -> str:
    return "" if day is None else f"{day:%Y-%m}"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def rows_csv(organisations: Sequence[Organisation], *, start: date | None, end: date | None) -> Iterator[str]:
    """One de-identified line per context of the cohort, streamed: ``CHUNK`` rows in memory at a time."""
    names = {organisation.pk: organisation.slug for organisation in organisations}
    queryset = (
        cohort(names, start=start, end=end)
        .order_by("ended_on", "pk")
        .values_list("organisation_id", "started_on", "ended_on", *ROW_FIELDS)
    )

    def rows() -> Iterator[list[str]]:
        yield list(ROW_HEADER)
        for number, (organisation_id, started_on, ended_on, *values) in enumerate(
            queryset.iterator(chunk_size=CHUNK), start=1
        ):
            yield [str(number), names[organisation_id], _month(started_on), _month(ended_on), *map(_cell, values)]

    return _lines(rows())


def export_filename(kind: str, who: str, start: date | None, end: date | None) -> str:
    """e.g. ``iptriad-outcomes-demo-2026-01-01-to-2026-06-30.csv``; kind is "outcomes" or "outcome-rows", who the
    slug of the organisation or programme the figures are of."""
    period = f"{start or 'start'}-to-{end or 'now'}"
    return f"iptriad-{kind}-{who}-{period}-v{METRICS_VERSION}.csv"
