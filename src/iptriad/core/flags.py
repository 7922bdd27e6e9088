"""Not-on-track flags for supervision (issue 13): each rule as data with its source and words, and a pure function
that says which rules fire for one course or group member, and why.

Routine outcome feedback helps a little; adding support for clients flagged not on track helps several times more,
and unaided therapists foresee almost none of the clients who deteriorate (programmes.md §2 [V]). These rules are
that support's first half: they are computed from facts the apps gather (scores by week, sessions, alerts, the last
supervisory review), never from a view. What the protocol suggests next, when a rule fires, is the second half
(`SUGGESTIONS`), written in iptriad's words from the reference with its source.

Thresholds come from the reference only: the PHQ-9 early non-response scores (PMID 26077754), the collaborative-care
"improved" rule, the reliable-change value of `iptriad.core.outcomes`. The midpoint rule is the reference's design
note, marked so, for a clinician to sign off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from iptriad.core.outcomes import classify_change

RULES_VERSION = "1.1.0"  # 1.1.0: an explicit order of gravity (SEVERITY) and recheck dates


class FlagCode(StrEnum):
    SELF_HARM = "self_harm"
    RELIABLE_DETERIORATION = "reliable_deterioration"
    EARLY_NON_RESPONSE = "early_non_response"
    NO_RESPONSE_AT_MIDPOINT = "no_response_at_midpoint"
    MISSED_SESSIONS = "missed_sessions"
    OVERDUE_MEASURES = "overdue_measures"
    ALERT_UNACKNOWLEDGED = "alert_unacknowledged"
    NO_SUPERVISORY_REVIEW = "no_supervisory_review"


@dataclass(frozen=True)
class FlagRule:
    code: FlagCode
    title: str
    rule: str  # the rule in plain words, shown beside the flag
    source: str


# (week reached, PHQ-9 at or above which the client is not on track): PMID 26077754 [V], programmes.md §2.
EARLY_NON_RESPONSE_PHQ9: tuple[tuple[int, int], ...] = ((4, 17), (9, 13), (14, 9))
MISSED_IN_A_ROW = 2
REVIEW_WITHIN_DAYS = 14
IMPROVED_BELOW = 10  # collaborative care: "improved" = PHQ-9 < 10 or a fall of at least half (programmes.md §2 [V])
IMPROVED_FALL = 0.5

RULES: tuple[FlagRule, ...] = (
    FlagRule(
        FlagCode.SELF_HARM,
        "Self-harm item positive",
        "A risk alert from a positive self-harm answer (or a clinician's concern) is open.",
        "instruments.md §3 (PHQ-9 item 9 >= 1) [V]; ipt-protocol.md §10",
    ),
    FlagRule(
        FlagCode.RELIABLE_DETERIORATION,
        "Reliable deterioration",
        "The latest PHQ-9 is worse than the first by at least the reliable-change value.",
        "iptriad.core.outcomes (PHQ-9 reliable change, instruments.md §2)",
    ),
    FlagRule(
        FlagCode.EARLY_NON_RESPONSE,
        "Early non-response",
        "PHQ-9 still at 17 or more from week 4, 13 or more from week 9, or 9 or more from week 14.",
        "programmes.md §2: PHQ-9 >= 17 at week 4, >= 13 at week 9, >= 9 at week 14 predict non-response "
        "(PMID 26077754) [V]",
    ),
    FlagRule(
        FlagCode.NO_RESPONSE_AT_MIDPOINT,
        "No response by the midpoint",
        "At or past the course's midpoint, the PHQ-9 is neither below 10 nor down by half from the start.",
        "ipt-protocol.md §3.3 Design note (a clinician signs it off); 'improved' as in collaborative care, "
        "programmes.md §2 [V]",
    ),
    FlagRule(
        FlagCode.MISSED_SESSIONS,
        "Two or more missed sessions",
        "The client missed the last two sessions or more in a row.",
        "programmes.md §2 (caseload flags); ipt-protocol.md §7.5 [BK]",
    ),
    FlagRule(
        FlagCode.OVERDUE_MEASURES,
        "Measures overdue",
        "A measure the schedule asks for is overdue.",
        "programmes.md §2 (caseload flags); the course's measure schedule",
    ),
    FlagRule(
        FlagCode.ALERT_UNACKNOWLEDGED,
        "Risk alert not acknowledged",
        "A risk alert is open and nobody who may act on it has opened it yet.",
        "programmes.md §2 (caseload flags); decision 0030",
    ),
    FlagRule(
        FlagCode.NO_SUPERVISORY_REVIEW,
        "No supervisory review for 14 days",
        "The course has not been reviewed in supervision for 14 days or more (or never, once it is 14 days old).",
        "programmes.md §2 (caseload flags)",
    ),
)


# The order of gravity, gravest first: a flag's rank (1 = gravest) is its place here, and a context's `worst` is the
# rank of its gravest flag, so a supervisor's list can put the most urgent work first. Each with the one-line why.
SEVERITY: tuple[tuple[FlagCode, str], ...] = (
    (FlagCode.SELF_HARM, "a possible risk to life comes before everything else (ipt-protocol.md §10)"),
    (FlagCode.ALERT_UNACKNOWLEDGED, "a risk alert nobody has opened may mean nobody is acting on it (decision 0030)"),
    (FlagCode.RELIABLE_DETERIORATION, "the client is measurably worse than at the start, beyond measurement error"),
    (FlagCode.EARLY_NON_RESPONSE, "scores this high this late predict non-response: the course may need to change now"),
    (FlagCode.NO_RESPONSE_AT_MIDPOINT, "half the course is spent without improvement: the contract needs review"),
    (FlagCode.MISSED_SESSIONS, "repeated absence often comes before dropping out, and may hide a worsening"),
    (FlagCode.NO_SUPERVISORY_REVIEW, "a process gap: nobody has looked at the case with a supervisor lately"),
    (FlagCode.OVERDUE_MEASURES, "a process gap: without the measure, the rules above cannot see the client"),
)


def severity(code: FlagCode) -> int:
    """The flag's rank in SEVERITY: 1 is the gravest."""
    return next(rank for rank, (candidate, _) in enumerate(SEVERITY, start=1) if candidate == code)


def gravest(rank: int) -> FlagCode:
    """The flag whose rank in SEVERITY this is (as `ContextFlags.worst` stores it)."""
    return SEVERITY[rank - 1][0]


def worst(flags: Sequence[Flag]) -> int | None:
    """The rank of the gravest flag, or None when none fires."""
    return min((severity(flag.code) for flag in flags), default=None)


@dataclass(frozen=True)
class Suggestion:
    text: str
    source: str


# What the protocol suggests next when a rule fires, in iptriad's words.
SUGGESTIONS: dict[FlagCode, tuple[Suggestion, ...]] = {
    FlagCode.SELF_HARM: (
        Suggestion(
            "Assess the risk now and close the alert with the assessment and the action taken.", "ipt-protocol.md §10"
        ),
    ),
    FlagCode.RELIABLE_DETERIORATION: (
        Suggestion("Review what changed between people around the worsening, and the risk.", "ipt-protocol.md §3.2"),
        Suggestion("Discuss in supervision whether the focus and the contract still fit.", "ipt-protocol.md §3.2"),
    ),
    FlagCode.EARLY_NON_RESPONSE: (
        Suggestion(
            "Revisit the problem-area focus and the formulation with the client.", "ipt-protocol.md §3.2 [S24d]"
        ),
        Suggestion(
            "For adolescents, consider augmenting now rather than waiting (week 4 beat week 8).",
            "ipt-protocol.md §3.3 [S16]",
        ),
    ),
    FlagCode.NO_RESPONSE_AT_MIDPOINT: (
        Suggestion(
            "Hold the midpoint review: go over the focus and the goals, and the time left.",
            "ipt-protocol.md §3.2 [S24d]",
        ),
        Suggestion(
            "Review the contract; consider more sessions per week or a different focus.",
            "ipt-protocol.md §3.3 Design note",
        ),
        Suggestion("Consider a medication or specialist consultation.", "ipt-protocol.md §3.3; programmes.md §2 [V]"),
    ),
    FlagCode.MISSED_SESSIONS: (
        Suggestion(
            "Contact the client before the next session, checking on them (including risk).",
            "ipt-protocol.md §7.5 [BK]",
        ),
    ),
    FlagCode.OVERDUE_MEASURES: (Suggestion("Record the measure due at the next session.", "ipt-protocol.md §3.2"),),
    FlagCode.ALERT_UNACKNOWLEDGED: (Suggestion("Open the alert and act on it, or pass it on.", "decision 0030"),),
    FlagCode.NO_SUPERVISORY_REVIEW: (Suggestion("Bring the course to the next supervision.", "programmes.md §2"),),
}


@dataclass(frozen=True)
class Score:
    week: int  # weeks since the course (or group) started, 0 at the start
    total: int


@dataclass(frozen=True)
class CourseFacts:
    """What the rules need of one course or group member, gathered by the app that runs it."""

    started_on: dt.date
    phq9: Sequence[Score]  # in time order
    sessions_planned: int | None
    sessions_attended: int
    missed_in_a_row: int
    overdue_measures: int
    open_alert: bool
    unacknowledged_alert: bool
    last_review_on: dt.date | None
    # The first day a weekly measure, not overdue today, becomes overdue with time alone (None: none will).
    measures_overdue_on: dt.date | None = None


@dataclass(frozen=True)
class Flag:
    code: FlagCode
    why: str  # this course's facts that made it fire, in words


def rule(code: FlagCode) -> FlagRule:
    return next(candidate for candidate in RULES if candidate.code == code)


def _early_non_response(scores: Sequence[Score]) -> Flag | None:
    if not scores:
        return None
    latest = scores[-1]
    reached = [(week, at_least) for week, at_least in EARLY_NON_RESPONSE_PHQ9 if latest.week >= week]
    if not reached:
        return None
    week, at_least = reached[-1]
    if latest.total < at_least:
        return None
    return Flag(
        FlagCode.EARLY_NON_RESPONSE,
        f"PHQ-9 {latest.total} at week {latest.week}: {at_least} or more from week {week} is not on track.",
    )


def _midpoint(facts: CourseFacts) -> Flag | None:
    if len(facts.phq9) < 2 or not facts.sessions_planned or facts.sessions_attended * 2 < facts.sessions_planned:
        return None
    first, latest = facts.phq9[0].total, facts.phq9[-1].total
    improved = latest < IMPROVED_BELOW or (first > 0 and (first - latest) / first >= IMPROVED_FALL)
    if improved:
        return None
    return Flag(
        FlagCode.NO_RESPONSE_AT_MIDPOINT,
        f"PHQ-9 {first} at the start and {latest} now, after {facts.sessions_attended} of "
        f"{facts.sessions_planned} sessions.",
    )


def evaluate(facts: CourseFacts, *, today: dt.date) -> list[Flag]:
    """The flags that fire for one course, in the order of `RULES`."""
    flags: list[Flag] = []
    if facts.open_alert:
        flags.append(Flag(FlagCode.SELF_HARM, "A risk alert is open."))
    if len(facts.phq9) >= 2:
        status = classify_change("phq9", facts.phq9[0].total, facts.phq9[-1].total)
        if status.reliable_deterioration:
            flags.append(
                Flag(
                    FlagCode.RELIABLE_DETERIORATION,
                    f"PHQ-9 {facts.phq9[0].total} at the start, {facts.phq9[-1].total} now.",
                )
            )
    if (early := _early_non_response(facts.phq9)) is not None:
        flags.append(early)
    if (midpoint := _midpoint(facts)) is not None:
        flags.append(midpoint)
    if facts.missed_in_a_row >= MISSED_IN_A_ROW:
        flags.append(Flag(FlagCode.MISSED_SESSIONS, f"{facts.missed_in_a_row} sessions missed in a row."))
    if facts.overdue_measures:
        flags.append(Flag(FlagCode.OVERDUE_MEASURES, f"{facts.overdue_measures} measure(s) overdue."))
    if facts.unacknowledged_alert:
        flags.append(Flag(FlagCode.ALERT_UNACKNOWLEDGED, "Nobody who may act on the open alert has opened it."))
    since = facts.last_review_on or facts.started_on
    if (today - since).days >= REVIEW_WITHIN_DAYS:
        words = f"last reviewed on {facts.last_review_on}" if facts.last_review_on else "never reviewed"
        flags.append(Flag(FlagCode.NO_SUPERVISORY_REVIEW, f"{(today - since).days} days; {words}."))
    return flags


def recheck_on(facts: CourseFacts, *, today: dt.date) -> dt.date | None:
    """The first day after `today` on which a rule may fire or stop with time alone, no input changing: the day the
    last review (or the start) becomes REVIEW_WITHIN_DAYS old, and the day a weekly measure becomes overdue. The PHQ-9
    rules read the scores' own weeks, so only a new score changes them; alerts and sessions change only by a write."""
    candidates: list[dt.date] = []
    review_due = (facts.last_review_on or facts.started_on) + dt.timedelta(days=REVIEW_WITHIN_DAYS)
    if review_due > today:
        candidates.append(review_due)
    if facts.measures_overdue_on is not None and facts.measures_overdue_on > today:
        candidates.append(facts.measures_overdue_on)
    return min(candidates, default=None)
