"""An outcome report as people read it: every figure formatted once, for the dashboard and the PDF alike.

The page and the PDF both draw a `Figures`, so they cannot disagree on a value, a suppression or a definition; what
each figure means and how it is suppressed is `iptriad.core.metrics`, never restated here. Templates only lay these
strings out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from iptriad.core.metrics import COUNT_DEFINITIONS, DECISIONS, SUPPRESSED_TEXT, CohortCounts, Rate, rates, shown_count
from iptriad.outcomes.charts import BarChart, breakdown_chart, headline_chart
from iptriad.outcomes.report import PROGRAMME_BREAKDOWNS, OutcomeReport

# Short names of the counts, for table rows and column heads (their meaning is COUNT_DEFINITIONS).
COUNT_LABELS: dict[str, str] = {
    "contexts": "Courses and group places ended",
    "reached": "Reached",
    "completed": "Completed",
    "finished": "Finished treatment",
    "at_caseness": "At caseness at the start",
    "not_at_caseness": "Not at caseness at the start",
    "recovered": "Recovered",
    "reliable_improvement": "Reliably improved",
    "reliable_deterioration": "Reliably deteriorated",
    "reliable_recovery": "Reliably recovered",
    "paired": "Paired scores",
    "missing_end_score": "Missing end score",
    "missed_sessions": "Sessions missed",
    "phq9_end_at_most_4_reached": "Reached, last PHQ-9 at most 4",
    "phq9_end_under_10_reached": "Reached, last PHQ-9 under 10",
    "phq9_end_at_most_4_completed": "Completed, last PHQ-9 at most 4",
    "phq9_end_under_10_completed": "Completed, last PHQ-9 under 10",
}

# What the breakdown table shows of each value: the main counts, then the NHS Talking Therapies rates.
BREAKDOWN_COUNTS = (
    "contexts",
    "finished",
    "at_caseness",
    "recovered",
    "reliable_improvement",
    "reliable_deterioration",
)
BREAKDOWN_RATES = ("recovery_rate", "reliable_improvement_rate", "reliable_deterioration_rate", "paired_completeness")
# The rates drawn per breakdown value, one chart each.
CHARTED_RATES = ("recovery_rate", "reliable_improvement_rate", "reliable_deterioration_rate")


@dataclass(frozen=True)
class Tile:
    """One rate: its value as shown, and the counts it is built on (suppressed like every count)."""

    key: str
    label: str
    value: str  # "51.6%" or "not shown"
    shown: bool
    numerator: str
    denominator: str
    formula: str
    source: str
    note: str


@dataclass(frozen=True)
class CountLine:
    key: str
    label: str
    value: str  # "12" or "fewer than 5"
    definition: str


@dataclass(frozen=True)
class BreakdownLine:
    value: str
    label: str
    cells: list[str]  # in the order of Figures.breakdown_columns


@dataclass(frozen=True)
class DataQuality:
    paired: Tile
    finished: str
    missing_end_score: str
    missed_sessions: str


@dataclass(frozen=True)
class Figures:
    organisations: list[str]
    period: str
    by: str | None  # the breakdown's label
    generated_at: dt.datetime
    metrics_version: str
    tiles: list[Tile]
    counts: list[CountLine]
    breakdown_columns: list[str]
    breakdown: list[BreakdownLine]
    quality: DataQuality
    definitions: list[CountLine]
    decisions: list[str]
    charts: list[BarChart]
    suppressed_text: str = SUPPRESSED_TEXT


def tile(rate: Rate) -> Tile:
    return Tile(
        key=rate.key,
        label=rate.label,
        value=rate.percent,
        shown=rate.value is not None,
        numerator=shown_count(rate.numerator),
        denominator=shown_count(max(rate.denominator, 0)),
        formula=rate.formula,
        source=rate.source,
        note=rate.note,
    )


def period_text(start: dt.date | None, end: dt.date | None) -> str:
    """e.g. "7 December 2025 to 6 December 2026"; an open bound reads "the first record" or "today"."""
    first = "the first record" if start is None else _day(start)
    last = "today" if end is None else _day(end)
    return f"{first} to {last}"


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _count_lines(counts: CohortCounts) -> list[CountLine]:
    values = asdict(counts)
    return [
        CountLine(name, COUNT_LABELS[name], shown_count(values[name]), COUNT_DEFINITIONS[name])
        for name in CohortCounts.count_names()
    ]


def _breakdown_cells(counts: CohortCounts) -> list[str]:
    values = asdict(counts)
    by_key = {rate.key: rate for rate in rates(counts)}
    return [shown_count(values[name]) for name in BREAKDOWN_COUNTS] + [by_key[key].percent for key in BREAKDOWN_RATES]


def figures(report: OutcomeReport) -> Figures:
    """Everything the dashboard and the PDF show of a report, suppressed."""
    tiles = [tile(rate) for rate in rates(report.overall)]
    paired = next(item for item in tiles if item.key == "paired_completeness")
    rate_labels = {item.key: item.label for item in tiles}
    charts = [headline_chart(report.overall)]
    if report.by is not None:
        charts += [breakdown_chart(report, key) for key in CHARTED_RATES]
    return Figures(
        organisations=report.organisations,
        period=period_text(report.start, report.end),
        by=None if report.by is None else PROGRAMME_BREAKDOWNS[report.by],  # every label, a programme's too
        generated_at=report.generated_at,
        metrics_version=report.metrics_version,
        tiles=tiles,
        counts=_count_lines(report.overall),
        breakdown_columns=[COUNT_LABELS[name] for name in BREAKDOWN_COUNTS] + [rate_labels[k] for k in BREAKDOWN_RATES],
        breakdown=[BreakdownLine(row.value, row.label, _breakdown_cells(row.counts)) for row in report.rows],
        quality=DataQuality(
            paired=paired,
            finished=shown_count(report.overall.finished),
            missing_end_score=shown_count(report.overall.missing_end_score),
            missed_sessions=shown_count(report.overall.missed_sessions),
        ),
        definitions=[CountLine(name, COUNT_LABELS[name], "", COUNT_DEFINITIONS[name]) for name in COUNT_LABELS],
        decisions=list(DECISIONS),
        charts=charts,
    )
