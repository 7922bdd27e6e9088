"""A treatment context's trajectory on each instrument: its scores by session and date, and the change from baseline
to latest.

The baseline is the first valid administration of the instrument in the context and the latest is the last one
(instruments.md 2.5 leaves the choice of baseline to the report; the first score of the course is the one a
therapist reviews progress against). The status comes from ``iptriad.core.outcomes.classify_change``, and every
verdict carries the threshold and source it was judged by, so a reader never has to guess what "response" meant.

``build_trajectory`` is pure (plain scores in, plain data out); ``context_administrations`` is the one query, and
the context passes its sessions as data so each score shows the session it belongs to.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from iptriad.core.instruments import Instrument, UnknownInstrumentError
from iptriad.core.outcomes import (
    CHANGE_CONVENTIONS,
    ChangeConvention,
    ChangeStatus,
    Direction,
    Threshold,
    classify_change,
)
from iptriad.core.schedules import SessionHeld, session_given_at
from iptriad.measures.definitions import definition as instrument
from iptriad.measures.due import answers_of
from iptriad.measures.models import Administration

MINUS = "\N{MINUS SIGN}"  # typographic minus: reads (and is spoken) as "minus", not as a hyphen
TIMES = "\N{MULTIPLICATION SIGN}"
COMPARISON_WORDS = {"<": "below", "<=": "at or below", ">=": "at or above"}
NOT_JUDGED = "Cannot be judged"


@dataclass(frozen=True)
class Score:
    """One administration as a trajectory needs it; ``total`` None means the answers gave no valid total."""

    administration_id: int
    completed_at: dt.datetime
    session_number: int | None
    total: float | None
    band: str


@dataclass(frozen=True)
class Point:
    """One row of the data table: a score, its local date and its change from the baseline (raw points)."""

    score: Score
    on: dt.date
    change: float | None
    is_baseline: bool

    @property
    def change_display(self) -> str:
        if self.is_baseline:
            return "Baseline"
        return "—" if self.change is None else signed(self.change)


@dataclass(frozen=True)
class Verdict:
    """One judged status (reliable improvement, response ...) with the rule it was judged by."""

    label: str
    met: bool | None
    rule: str
    source: str

    @property
    def answer(self) -> str:
        if self.met is None:
            return NOT_JUDGED
        return "Yes" if self.met else "No"


@dataclass(frozen=True)
class Trajectory:
    definition: Instrument
    points: tuple[Point, ...]  # every administration in the course, oldest first, valid or not
    baseline: Point | None
    latest: Point | None
    status: ChangeStatus | None  # None until there are two valid scores, or without a change convention
    change: float | None  # latest - baseline in raw points; None until there are two valid scores
    verdicts: tuple[Verdict, ...]
    notes: tuple[str, ...]

    @property
    def code(self) -> str:
        return self.definition.code

    @property
    def valid_points(self) -> tuple[Point, ...]:
        return tuple(point for point in self.points if point.score.total is not None)

    @property
    def change_summary(self) -> str:
        """The change in words, e.g. "-11 points (55 % reduction)"; empty until there are two valid scores."""
        if self.change is None or self.baseline is None or self.latest is None:
            return ""
        if self.status is not None:
            convention = CHANGE_CONVENTIONS[self.code]
            text = f"{signed(self.status.change)} {convention.unit}"
            if self.status.percent_reduction is not None:
                text += f" ({self.status.percent_reduction:.0f} % reduction)"
            return text
        return f"{signed(self.change)} points"

    @property
    def alt_text(self) -> str:
        """The chart's text alternative: what it shows in one sentence, and where every value is."""
        name = self.definition.short_name
        points = self.valid_points
        if not points:
            return f"Chart of {name} totals in this course: no valid score yet."
        first, last = points[0], points[-1]
        if len(points) == 1:
            return f"Chart of {name} totals in this course: one score, {_describe(first)}. The table gives it."
        return (
            f"Chart of {name} totals in this course: {len(points)} scores, from {_describe(first)} to "
            f"{_describe(last)}. The table below gives every score."
        )


def signed(value: float) -> str:
    """A change with its sign (a typographic minus) and no trailing zeros: +3, -2.5, 0."""
    if value == 0:
        return "0"
    text = f"{abs(value):.2f}".rstrip("0").rstrip(".")
    return ("+" if value > 0 else MINUS) + text


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _describe(point: Point) -> str:
    total = point.score.total
    band = f" ({point.score.band})" if point.score.band else ""
    session = f", session {point.score.session_number}" if point.score.session_number else ""
    return f"{_number(total or 0)}{band} on {point.on.day} {point.on:%B %Y}{session}"


def _fall_or_rise(direction: Direction, better: bool) -> str:
    lower_is_better = direction is Direction.LOWER_IS_BETTER
    return "fall" if lower_is_better == better else "rise"


def _threshold(threshold: Threshold) -> str:
    return f"latest score {COMPARISON_WORDS[threshold.comparison]} {threshold.value:g}"


def _verdicts(convention: ChangeConvention, status: ChangeStatus) -> tuple[Verdict, ...]:
    verdicts: list[Verdict] = []
    unit = convention.unit
    reliable = convention.reliable_change
    if reliable is not None:
        verdicts.append(
            Verdict(
                "Reliable improvement",
                status.reliable_improvement,
                f"a {_fall_or_rise(convention.direction, True)} of {reliable.value:g} {unit} or more from the baseline",
                reliable.source,
            )
        )
        verdicts.append(
            Verdict(
                "Reliable deterioration",
                status.reliable_deterioration,
                f"a {_fall_or_rise(convention.direction, False)} of {reliable.value:g} {unit} or more from the "
                "baseline",
                reliable.source,
            )
        )
    if convention.response_reduction is not None:
        rule = f"a fall of {convention.response_reduction.value * 100:g} % or more from the baseline"
        if status.response is None:
            rule += " (not judged from a baseline of 0)"
        verdicts.append(Verdict("Response", status.response, rule, convention.response_reduction.source))
    if convention.remission is not None:
        verdicts.append(
            Verdict(
                "Remission",
                status.remission,
                _threshold(convention.remission),
                convention.remission.source,
            )
        )
    return tuple(verdicts)


def _notes(definition: Instrument, convention: ChangeConvention | None, valid: int) -> tuple[str, ...]:
    name = definition.short_name
    notes: list[str] = []
    if valid == 0:
        notes.append(f"No valid {name} score in this course yet.")
    elif valid == 1:
        notes.append("One valid score so far: change is judged from the second score on.")
    if convention is None:
        notes.append(f"The reference gives no change convention for the {name}; only the change is shown.")
    else:
        if convention.units_per_raw_point != 1:
            notes.append(
                f"{name} change is judged in {convention.unit}: the raw total {TIMES} {convention.units_per_raw_point}."
            )
        if convention.carried_over_note:
            notes.append(convention.carried_over_note)
        thresholds = (convention.reliable_change, convention.response_reduction, convention.remission)
        if all(threshold is None for threshold in thresholds):
            notes.append(
                f"The reference gives no reliable-change, response or remission threshold for the {name}; "
                "only the change is shown."
            )
    return tuple(notes)


def build_trajectory(definition: Instrument, scores: Sequence[Score]) -> Trajectory:
    """The trajectory of one instrument from its scores in a course (in any order)."""
    ordered = sorted(scores, key=lambda score: (score.completed_at, score.administration_id))
    totals = [score.total for score in ordered if score.total is not None]
    first = next((score for score in ordered if score.total is not None), None)  # the baseline
    points = tuple(
        Point(
            score=score,
            on=timezone.localtime(score.completed_at).date(),
            change=None if score.total is None or not totals else score.total - totals[0],
            is_baseline=score is first,
        )
        for score in ordered
    )
    valid_points = [point for point in points if point.score.total is not None]
    convention = CHANGE_CONVENTIONS.get(definition.code)
    status: ChangeStatus | None = None
    change: float | None = None
    verdicts: tuple[Verdict, ...] = ()
    if len(totals) >= 2:
        change = totals[-1] - totals[0]
        if convention is not None:
            status = classify_change(definition.code, totals[0], totals[-1])
            verdicts = _verdicts(convention, status)
    return Trajectory(
        definition=definition,
        points=points,
        baseline=valid_points[0] if valid_points else None,
        latest=valid_points[-1] if valid_points else None,
        status=status,
        change=change,
        verdicts=verdicts,
        notes=_notes(definition, convention, len(valid_points)),
    )


def context_administrations(
    *, context_id: int, organisation_id: int, code: str | None = None
) -> QuerySet[Administration]:
    """The context's administrations, oldest first, with what a trajectory and the due rules need; call only with a
    context the actor may read (ids, so a caller holding its course need not read the context row)."""
    administrations = Administration.objects.filter(context_id=context_id, organisation_id=organisation_id)
    if code is not None:
        administrations = administrations.filter(instrument_code=code)
    return for_trajectories(administrations)


def for_trajectories(administrations: QuerySet[Administration]) -> QuerySet[Administration]:
    """Administrations oldest first, with only the columns a trajectory and the due rules read."""
    return administrations.order_by("completed_at", "pk").only(
        "pk", "context_id", "occasion_id", "instrument_code", "completed_at", "valid", "total", "band"
    )


def scores_of(administrations: Iterable[Administration], sessions: Sequence[SessionHeld]) -> dict[str, list[Score]]:
    """Scores by instrument code (no query): each shown against the session it was given in, or else the session
    held on the same day in the organisation's time zone."""
    rows = list(administrations)
    scores: dict[str, list[Score]] = defaultdict(list)
    for administration, answer in zip(rows, answers_of(rows), strict=True):
        total = administration.total
        scores[administration.instrument_code].append(
            Score(
                administration_id=administration.pk,
                completed_at=administration.completed_at,
                session_number=session_given_at(answer, sessions),
                total=float(total) if administration.valid and total is not None else None,
                band=administration.band,
            )
        )
    return dict(scores)


def trajectories(scores: dict[str, list[Score]]) -> list[Trajectory]:
    """One trajectory per instrument given, ordered by the instrument's short name (EPDS, GAD-7, PHQ-9 ...)."""
    built = []
    for code, instrument_scores in scores.items():
        try:
            definition = instrument(code)
        except UnknownInstrumentError:
            continue  # an instrument no longer shipped: its answers stay stored, but there is nothing to chart it by
        built.append(build_trajectory(definition, instrument_scores))
    return sorted(built, key=lambda trajectory: trajectory.definition.short_name)
