"""A person's agreement with their supervisor month by month, as a small SVG the template draws: one line with each
point's value written beside it, readable without colour (as a group member's symptom checks are drawn)."""

from __future__ import annotations

from dataclasses import dataclass

from iptriad.fidelity.selectors.ratings import Month

WIDTH, HEIGHT = 340, 190
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 22, 34


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    label: str  # "Mar"
    value: str  # "83%"


@dataclass(frozen=True)
class Tick:
    y: int
    label: str


@dataclass(frozen=True)
class AgreementChart:
    width: int
    height: int
    points: list[Point]
    ticks: list[Tick]
    polyline: str
    description: str
    left: int
    right: int
    bottom: int


def agreement_chart(months: list[Month]) -> AgreementChart | None:
    shown = [month for month in months if month.agreement is not None]
    if not shown:
        return None
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_width / max(len(shown) - 1, 1)

    def y_of(value: float) -> int:
        return round(TOP + plot_height * (1 - value / 100))

    points = [
        Point(
            round(LEFT + (step * index if len(shown) > 1 else plot_width / 2)),
            y_of(float(month.agreement or 0)),
            f"{month.month:%b}",
            f"{month.agreement:.0f}%",
        )
        for index, month in enumerate(shown)
    ]
    words = ", ".join(f"{month.month:%B %Y}: {point.value}" for month, point in zip(shown, points, strict=True))
    return AgreementChart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        ticks=[Tick(y_of(value), f"{value}%") for value in (0, 50, 100)],
        polyline=" ".join(f"{point.x},{point.y}" for point in points),
        description=f"Items rated the same by self and supervisor, by month, 0 to 100%: {words}.",
        left=LEFT,
        right=WIDTH - RIGHT,
        bottom=HEIGHT - BOTTOM,
    )
