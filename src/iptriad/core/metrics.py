"""Outcome metrics for a cohort: the NHS Talking Therapies measures and the programme indicators, versioned.

One place says what every reported figure means. A treatment context (an IPT course, or a client's place in group
IPT, transfers included) is classified once from its facts (`classify`); a report counts the classifications in SQL
and turns the counts into figures here (`figures`), each with its formula and its source, so a page, the command,
the CSV and the PDF can never disagree on a definition.

The definitions are programmes.md section 3 (NHS Talking Therapies, tagged [V] there unless marked) and section 1
(programme counts: reached, completed); the per-instrument cut-offs and reliable-change values are those of
`iptriad.core.outcomes` (instruments.md 2.4), never restated here. What the reference leaves open is decided here
and said so in ``DECISIONS`` and in each figure's note; nothing clinical is invented.

Changing a definition changes ``METRICS_VERSION``: stored classifications carry the version they were made with
and are recomputed when it changes (`iptriad outcomes refresh`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

from iptriad.core.outcomes import classify_change, is_case

METRICS_VERSION: Final = "1.0.0"

# NHS Talking Therapies: "the referral ended after at least 2 attended treatment sessions" (programmes.md 3);
# an organisation may set another minimum.
FINISHED_MIN_SESSIONS_DEFAULT: Final = 2

# Counts under this are shown as "fewer than 5" on every page, export and report (issue 14; NHS Digital's own
# publications suppress small counts the same way).
SUPPRESS_BELOW: Final = 5
SUPPRESSED_TEXT: Final = "fewer than 5"

SOURCE_TALKING_THERAPIES: Final = (
    "NHS Talking Therapies definitions (programmes.md 3; cut-offs and reliable change from instruments.md 2.4)"
)
SOURCE_PROGRAMME: Final = "Programme counts with stated definitions (programmes.md 1, 'What the best system has')"
WORKED_EXAMPLE: Final = "23,291 / (48,111 - 2,957) = 51.6% (NHS Digital, December 2020; programmes.md 3)"


# ---------------------------------------------------------------------------------------------------------------
# One treatment context
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContextFacts:
    """What the classification of one treatment context reads.

    ``ended``: the course closed, or the member left or their group ended. ``completed_at_least``: the sessions that
    count as completing this context (a group's own setting, e.g. 6 of 8; for a course, the finished minimum).
    The first and last scores are the context's first and last valid totals of each measure; when only one was
    given, first and last are the same administration and ``*_paired`` is False.
    """

    ended: bool
    attended_sessions: int
    finished_min_sessions: int
    completed_at_least: int
    phq9_first: int | None = None
    phq9_last: int | None = None
    phq9_paired: bool = False
    gad7_first: int | None = None
    gad7_last: int | None = None
    gad7_paired: bool = False


@dataclass(frozen=True)
class Classification:
    """The booleans a report counts, for one treatment context. A missing measure leaves an outcome False here (not
    counted), never guessed; the data-quality counts (``paired``, ``missing_end_score``) say how often that happened.
    """

    reached: bool
    completed: bool
    finished: bool
    at_caseness: bool
    not_at_caseness: bool  # known not to be a case at the start; unknown caseness is neither
    recovered: bool
    reliable_improvement: bool
    reliable_deterioration: bool
    reliable_recovery: bool
    paired: bool  # a first and a later PHQ-9 (or GAD-7): change can be judged
    missing_end_score: bool  # finished without a score after the first
    phq9_end_at_most_4: bool
    phq9_end_under_10: bool


@dataclass(frozen=True)
class _Measure:
    code: str
    first: int
    last: int
    paired: bool


def _measures_given(facts: ContextFacts) -> list[_Measure]:
    given = []
    for code, first, last, paired in (
        ("phq9", facts.phq9_first, facts.phq9_last, facts.phq9_paired),
        ("gad7", facts.gad7_first, facts.gad7_last, facts.gad7_paired),
    ):
        if first is not None:
            given.append(_Measure(code, first, first if last is None else last, paired and last is not None))
    return given


def classify(facts: ContextFacts) -> Classification:
    """Classify one treatment context against the definitions of this module's version.

    The definitions read "PHQ-9 and/or GAD-7"; a measure the context never used (group IPT measures the PHQ-9
    only) is left out of them rather than counted as missing (``DECISIONS``). Change is judged only when every
    measure given was given again later (paired); otherwise the outcome is unknown and counted as a missing end
    score, never guessed.
    """
    reached = facts.attended_sessions >= 1
    finished = facts.ended and facts.attended_sessions >= facts.finished_min_sessions
    completed = facts.ended and facts.attended_sessions >= facts.completed_at_least
    given = _measures_given(facts)
    paired = bool(given) and all(measure.paired for measure in given)
    caseness = any(is_case(measure.code, measure.first) for measure in given) if given else None
    recovered = improved = deteriorated = False
    if paired:
        below_at_end = not any(is_case(measure.code, measure.last) for measure in given)
        changes = [classify_change(measure.code, measure.first, measure.last) for measure in given]
        deteriorated = any(change.reliable_deterioration for change in changes)
        improved = any(change.reliable_improvement for change in changes) and not deteriorated
        recovered = caseness is True and below_at_end
    return Classification(
        reached=reached,
        completed=completed,
        finished=finished,
        at_caseness=finished and caseness is True,
        not_at_caseness=finished and caseness is False,
        recovered=finished and recovered,
        reliable_improvement=finished and improved,
        reliable_deterioration=finished and deteriorated,
        reliable_recovery=finished and recovered and improved,
        paired=finished and paired,
        missing_end_score=finished and not paired,
        phq9_end_at_most_4=facts.phq9_last is not None and facts.phq9_last <= 4,
        phq9_end_under_10=facts.phq9_last is not None and facts.phq9_last < 10,
    )


# ---------------------------------------------------------------------------------------------------------------
# A cohort: counts in, figures out
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CohortCounts:
    """The counts of one cohort (overall, or one value of a breakdown), as the report's SQL returns them.

    Every field but ``contexts`` and ``missed_sessions`` counts treatment contexts whose ``Classification`` field of
    the same name is true; the ``*_reached`` and ``*_completed`` indicators count those among reached and completed.
    """

    contexts: int = 0
    reached: int = 0
    completed: int = 0
    finished: int = 0
    at_caseness: int = 0
    not_at_caseness: int = 0
    recovered: int = 0
    reliable_improvement: int = 0
    reliable_deterioration: int = 0
    reliable_recovery: int = 0
    paired: int = 0  # among finished
    missing_end_score: int = 0  # among finished
    missed_sessions: int = 0  # sessions missed in all, in the cohort
    phq9_end_at_most_4_reached: int = 0
    phq9_end_under_10_reached: int = 0
    phq9_end_at_most_4_completed: int = 0
    phq9_end_under_10_completed: int = 0

    @classmethod
    def count_names(cls) -> tuple[str, ...]:
        return tuple(field.name for field in fields(cls))


@dataclass(frozen=True)
class Rate:
    """A reported rate: its value (None when the denominator is 0 or a part is suppressed), formula and source."""

    key: str
    label: str
    numerator: int
    denominator: int
    value: float | None
    formula: str
    source: str
    note: str = ""

    @property
    def percent(self) -> str:
        return "not shown" if self.value is None else f"{self.value * 100:.1f}%"


@dataclass(frozen=True)
class RateDefinition:
    key: str
    label: str
    numerator: str  # a CohortCounts field
    denominator: tuple[str, ...]  # CohortCounts fields: the first minus the rest
    formula: str
    source: str
    note: str = ""

    def denominator_of(self, counts: CohortCounts) -> int:
        first, *rest = self.denominator
        return int(getattr(counts, first)) - sum(int(getattr(counts, name)) for name in rest)


RATES: Final[tuple[RateDefinition, ...]] = (
    RateDefinition(
        "recovery_rate",
        "Recovery rate",
        "recovered",
        ("finished", "not_at_caseness"),
        "recovered / (finished - not at caseness at the start)",
        SOURCE_TALKING_THERAPIES,
        "Worked example: " + WORKED_EXAMPLE + ". Recovered: at caseness at the start (PHQ-9 >= 10 and/or GAD-7 >= 8),"
        " below caseness on both measures at the end. A finished person whose caseness at the start is unknown (no"
        " first score) stays in the denominator, as the formula reads.",
    ),
    RateDefinition(
        "reliable_improvement_rate",
        "Reliable improvement",
        "reliable_improvement",
        ("finished",),
        "reliably improved / finished",
        SOURCE_TALKING_THERAPIES,
        "PHQ-9 fell by 6 or more and/or GAD-7 by 4 or more, with neither reliably worse ([M] for the second clause).",
    ),
    RateDefinition(
        "reliable_deterioration_rate",
        "Reliable deterioration",
        "reliable_deterioration",
        ("finished",),
        "reliably deteriorated / finished",
        SOURCE_TALKING_THERAPIES,
        "PHQ-9 rose by 6 or more or GAD-7 by 4 or more.",
    ),
    RateDefinition(
        "reliable_recovery_rate",
        "Reliable recovery",
        "reliable_recovery",
        ("finished", "not_at_caseness"),
        "recovered and reliably improved / (finished - not at caseness at the start)",
        SOURCE_TALKING_THERAPIES,
        "The reference defines reliable recovery but gives no denominator; the recovery rate's is used.",
    ),
    RateDefinition(
        "paired_completeness",
        "Paired scores",
        "paired",
        ("finished",),
        "finished with a first and a later score / finished",
        "Data quality: paired outcome data (programmes.md 3: 98.5% nationally, Clark 2018)",
    ),
    RateDefinition(
        "phq9_end_at_most_4_reached_rate",
        "PHQ-9 at most 4 at the end, of reached",
        "phq9_end_at_most_4_reached",
        ("reached",),
        "reached with a last PHQ-9 <= 4 / reached",
        SOURCE_PROGRAMME,
    ),
    RateDefinition(
        "phq9_end_under_10_reached_rate",
        "PHQ-9 under 10 at the end, of reached",
        "phq9_end_under_10_reached",
        ("reached",),
        "reached with a last PHQ-9 < 10 / reached",
        SOURCE_PROGRAMME,
    ),
    RateDefinition(
        "phq9_end_at_most_4_completed_rate",
        "PHQ-9 at most 4 at the end, of completed",
        "phq9_end_at_most_4_completed",
        ("completed",),
        "completed with a last PHQ-9 <= 4 / completed",
        SOURCE_PROGRAMME,
    ),
    RateDefinition(
        "phq9_end_under_10_completed_rate",
        "PHQ-9 under 10 at the end, of completed",
        "phq9_end_under_10_completed",
        ("completed",),
        "completed with a last PHQ-9 < 10 / completed",
        SOURCE_PROGRAMME,
    ),
)

# What each count means, in words, for pages, the PDF's definitions and docs/users.
COUNT_DEFINITIONS: Final[dict[str, str]] = {
    "contexts": "Courses and group places that ended in the period (a transfer between groups is one place).",
    "reached": "Reached: attended at least one session.",
    "completed": "Completed: attended at least the sessions that complete it (a group's own setting, e.g. 6 of 8;"
    " for an individual course, the finished minimum).",
    "finished": "Finished a course of treatment: ended after at least 2 attended sessions (configurable).",
    "at_caseness": "At caseness at the start: first PHQ-9 >= 10 and/or first GAD-7 >= 8 (of finished).",
    "not_at_caseness": "Not at caseness at the start, as far as the first scores show (of finished).",
    "recovered": "Recovered: at caseness at the start, below caseness on both measures at the end (of finished).",
    "reliable_improvement": "Reliable improvement: PHQ-9 down 6 or more and/or GAD-7 down 4 or more, neither"
    " reliably worse (of finished).",
    "reliable_deterioration": "Reliable deterioration: PHQ-9 up 6 or more or GAD-7 up 4 or more (of finished).",
    "reliable_recovery": "Reliable recovery: recovered and reliably improved (of finished).",
    "paired": "Finished with a first and a later score of the PHQ-9 or GAD-7.",
    "missing_end_score": "Finished without a score after the first: their outcome cannot be judged.",
    "missed_sessions": "Sessions missed (not attended, excused included) in the cohort's courses and groups.",
    "phq9_end_at_most_4_reached": "Reached, last PHQ-9 at most 4.",
    "phq9_end_under_10_reached": "Reached, last PHQ-9 under 10.",
    "phq9_end_at_most_4_completed": "Completed, last PHQ-9 at most 4.",
    "phq9_end_under_10_completed": "Completed, last PHQ-9 under 10.",
}

# What this version decided where the reference is silent: docs and the PDF print these.
DECISIONS: Final[tuple[str, ...]] = (
    "A report's cohort is the courses and group places that ended in its period; open ones are not counted.",
    "Change is judged between a context's first and last valid score of each measure; one score alone shows none.",
    "A measure the context never used (group IPT gives the PHQ-9 only) is left out of 'PHQ-9 and/or GAD-7'.",
    "For an individual course, completed means finished; for group IPT, the group's own 'completed' minimum.",
    "The reliable recovery rate takes the recovery rate's denominator (the reference gives none).",
    "Every count under 5 (0 included) is shown as 'fewer than 5', and a rate built on one is not shown.",
)


def is_suppressed(count: int) -> bool:
    return count < SUPPRESS_BELOW


def shown_count(count: int, *, suppress: bool = True) -> str:
    """A count as a page, export or report shows it."""
    return SUPPRESSED_TEXT if suppress and is_suppressed(count) else f"{count:,}"


def rates(counts: CohortCounts, *, suppress: bool = True) -> list[Rate]:
    """Every rate of ``RATES`` for one cohort. With ``suppress``, a rate whose numerator or denominator is under 5
    is not shown (its value is None), so no small count can be worked back from it."""
    result = []
    for definition in RATES:
        numerator = int(getattr(counts, definition.numerator))
        denominator = definition.denominator_of(counts)
        hidden = suppress and (is_suppressed(numerator) or is_suppressed(denominator))
        value = None if hidden or denominator <= 0 else numerator / denominator
        result.append(
            Rate(
                key=definition.key,
                label=definition.label,
                numerator=numerator,
                denominator=denominator,
                value=value,
                formula=definition.formula,
                source=definition.source,
                note=definition.note,
            )
        )
    return result


def rate_of(counts: CohortCounts, key: str, *, suppress: bool = True) -> Rate:
    return next(rate for rate in rates(counts, suppress=suppress) if rate.key == key)
