"""Rates as horizontal bars, laid out once here and drawn twice: as inline SVG by the dashboard's template and with
ReportLab's shapes in the PDF (`iptriad.outcomes.pdf`).

As the product's other small charts (a fidelity agreement, a group member's checks), the geometry is computed in
Python and the template only writes it out; readable without colour: one dark fill, each bar's value written at its
end, and a rate not shown (built on a count under 5) written as words where its bar would be, never left blank.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from iptriad.core.metrics import SUPPRESSED_TEXT, CohortCounts, Rate, rate_of, rates
from iptriad.outcomes.report import PROGRAMME_BREAKDOWNS, OutcomeReport

WIDTH = 480
LABEL_WIDTH = 150  # the bars' names, right-aligned before the plot
PLOT_LEFT = LABEL_WIDTH + 10
PLOT_WIDTH = 250  # leaves room after a full bar for its value
TOP = 12
ROW = 26
BAR = 16
BOTTOM = 22  # the scale's labels
LABEL_CHARS = 24
TICKS = (0, 25, 50, 75, 100)
HEADLINE_RATES = (
    "recovery_rate",
    "reliable_improvement_rate",
    "reliable_deterioration_rate",
    "reliable_recovery_rate",
    "paired_completeness",
)
NOT_SHOWN = f"not shown ({SUPPRESSED_TEXT} or none)"


@dataclass(frozen=True)
class Bar:
    label: str  # shortened to fit; `title` has it whole
    title: str
    value: str  # "51.6%", or NOT_SHOWN
    shown: bool
    y: int  # the bar's top
    width: int  # 0 when not shown
    text_x: int  # where its value is written
    text_y: int  # the baseline of its label and value


@dataclass(frozen=True)
class Tick:
    x: int
    label: str


@dataclass(frozen=True)
class BarChart:
    title: str
    description: str  # every bar in words: the chart's text alternative
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    label_right: int
    bar_height: int
    bars: list[Bar]
    ticks: list[Tick]
    slug: str  # unique on its page, for the title's id


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def _bars(items: list[tuple[str, Rate]]) -> list[Bar]:
    bars = []
    for index, (label, rate) in enumerate(items):
        y = TOP + index * ROW + (ROW - BAR) // 2
        width = 0 if rate.value is None else round(PLOT_WIDTH * min(max(rate.value, 0.0), 1.0))
        value = NOT_SHOWN if rate.value is None else rate.percent
        bars.append(
            Bar(
                label=_short(label),
                title=f"{label}: {value}",
                value=value,
                shown=rate.value is not None,
                y=y,
                width=width,
                text_x=PLOT_LEFT + width + 6,
                text_y=y + BAR - 4,
            )
        )
    return bars


def _chart(title: str, slug: str, items: list[tuple[str, Rate]]) -> BarChart:
    bars = _bars(items)
    plot_bottom = TOP + ROW * max(len(bars), 1)
    words = "; ".join(bar.title for bar in bars) or "nothing to show"
    return BarChart(
        title=title,
        description=f"{title}, 0 to 100%: {words}.",
        width=WIDTH,
        height=plot_bottom + BOTTOM,
        plot_left=PLOT_LEFT,
        plot_right=PLOT_LEFT + PLOT_WIDTH,
        plot_top=TOP,
        plot_bottom=plot_bottom,
        label_right=LABEL_WIDTH,
        bar_height=BAR,
        bars=bars,
        ticks=[Tick(PLOT_LEFT + round(PLOT_WIDTH * value / 100), f"{value}%") for value in TICKS],
        slug=slug,
    )


def headline_chart(counts: CohortCounts) -> BarChart:
    """The NHS Talking Therapies rates of everyone in the report."""
    by_key = {rate.key: rate for rate in rates(counts)}
    items = [(by_key[key].label, by_key[key]) for key in HEADLINE_RATES]
    return _chart("Outcome rates, everyone", "headline", items)


def breakdown_chart(report: OutcomeReport, rate_key: str) -> BarChart:
    """One rate for each value of the report's breakdown, in the report's order."""
    by = report.by or ""
    items = [(row.label, rate_of(row.counts, rate_key)) for row in report.rows]
    label = rate_of(report.overall, rate_key).label
    return _chart(f"{label} by {PROGRAMME_BREAKDOWNS.get(by, by).lower()}", f"by-{rate_key}", items)


def in_parts(chart: BarChart, most: int) -> list[BarChart]:
    """The chart cut into charts of at most ``most`` bars (a page of the PDF holds about 25), each laid out anew."""
    if len(chart.bars) <= most:
        return [chart]
    parts = []
    for first in range(0, len(chart.bars), most):
        shift = first * ROW
        bars = [replace(bar, y=bar.y - shift, text_y=bar.text_y - shift) for bar in chart.bars[first : first + most]]
        plot_bottom = TOP + ROW * len(bars)
        parts.append(
            replace(
                chart,
                title=chart.title if first == 0 else f"{chart.title} (continued)",
                bars=bars,
                height=plot_bottom + BOTTOM,
                plot_bottom=plot_bottom,
                slug=f"{chart.slug}-{first // most + 1}",
            )
        )
    return parts
