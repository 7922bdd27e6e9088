"""Which measures are due at a session: default schedules per adaptation, which session an answer belongs to, and
the due / overdue rules. Every treatment context (a course, a group membership) is read by these same rules.

The defaults are the product's (issue: "PHQ-9 every session; GAD-7 and WSAS at the start, every 4 sessions and
at the end; EPDS for perinatal courses; SRM-5 weekly for IPSRT"; issue 10: "IPSRT gets a mania self-rating and
IPT-BN an eating-disorder measure"); ipt-protocol.md §3.2 notes IPT Institute
portfolios ask for PHQ-9 and GAD-7 every 4 sessions [S9]. Our own choices are marked Design note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

WEEKLY_DUE_DAYS = 7
WEEKLY_OVERDUE_DAYS = 14  # Design note: a weekly diary a whole week late is overdue


class Cadence(StrEnum):
    EVERY_SESSION = "every_session"
    EVERY_N_SESSIONS = "every_n_sessions"  # at the first session, every N sessions, and at the last
    WEEKLY = "weekly"


@dataclass(frozen=True)
class ScheduleRule:
    instrument: str
    cadence: Cadence
    every_n: int | None = None
    source: str = ""


@dataclass(frozen=True)
class SessionHeld:
    """One session of a treatment context as the rules read it: `occasion` is the key its answers point at."""

    occasion: int | None
    number: int  # as the context numbers its sessions (missed and cancelled ones too)
    held_on: dt.date
    attended: bool


@dataclass(frozen=True)
class Answer:
    """One administration as the rules read it: its instrument, the session it was given in, its local date."""

    instrument: str
    occasion: int | None
    on: dt.date


@dataclass(frozen=True)
class Given:
    """An administration already recorded in the context, counted by the attended session it belongs to."""

    instrument: str
    session_number: int | None
    on: dt.date


@dataclass(frozen=True)
class Due:
    instrument: str
    overdue: bool
    reason: str


def default_schedule(adaptation: str) -> tuple[ScheduleRule, ...]:
    symptom = "phqa" if adaptation == "ipt_a" else "phq9"
    rules = [
        ScheduleRule(
            symptom,
            Cadence.EVERY_SESSION,
            source=(
                "product default: PHQ-9 every session"
                if symptom == "phq9"
                else "Design note: PHQ-A, the adolescent PHQ-9 (instruments.md §5), every session of IPT-A"
            ),
        ),
        ScheduleRule("gad7", Cadence.EVERY_N_SESSIONS, 4, "product default; IPT Institute portfolios [S9]"),
        ScheduleRule("wsas", Cadence.EVERY_N_SESSIONS, 4, "product default"),
    ]
    if adaptation == "perinatal":
        rules.append(
            ScheduleRule(
                "epds",
                Cadence.EVERY_N_SESSIONS,
                4,
                "product default 'EPDS for perinatal courses'; cadence is a Design note (PHQ-9 stays every session)",
            )
        )
    if adaptation == "ipsrt":
        rules.append(ScheduleRule("srm5", Cadence.WEEKLY, source="product default: SRM-5 weekly for IPSRT"))
        rules.append(
            ScheduleRule(
                "asrm",
                Cadence.EVERY_SESSION,
                source=(
                    "issue 10: a mania self-rating for IPSRT (ASRM, instruments.md §14, 'Relevant to IPSRT'); "
                    "Design note: every session, as its recall is the past week and the PHQ-9 covers the other pole"
                ),
            )
        )
    if adaptation == "ipt_bn":
        rules.append(
            ScheduleRule(
                "edeq",
                Cadence.EVERY_N_SESSIONS,
                4,
                "issue 10: an eating-disorder measure for IPT-BN (EDE-Q 6.0, instruments.md §18); "
                "Design note: every 4 sessions, as its recall is the past 28 days",
            )
        )
    return tuple(rules)


def session_given_at(answer: Answer, sessions: Sequence[SessionHeld]) -> int | None:
    """The number of the session a score is shown against: the session it was given in or, given outside one
    (from the measures page or a self-report link), the first session held on the same day."""
    for session in sessions:
        if answer.occasion is not None and session.occasion == answer.occasion:
            return session.number
    same_day = [session.number for session in sessions if session.held_on == answer.on]
    return min(same_day, default=None)


def given_measures(answers: Sequence[Answer], sessions: Sequence[SessionHeld]) -> list[Given]:
    """Each answer with the attended-session count it belongs to, which the due rules go by.

    Given in an attended session: that session. Not (given before the session was recorded, or on a separate
    page): by date, to the last attended session held on or before that day, or to the next session when it came
    after every recorded session (Design note).
    """
    held = sorted((s for s in sessions if s.attended), key=lambda session: (session.held_on, session.number))
    ordinal = {session.occasion: position for position, session in enumerate(held, start=1) if session.occasion}
    last_date = max((session.held_on for session in sessions), default=None)
    given = []
    for answer in answers:
        number: int | None
        if answer.occasion is not None and answer.occasion in ordinal:
            number = ordinal[answer.occasion]
        elif last_date is None or answer.on > last_date:
            number = len(held) + 1
        else:
            number = max((position for position, s in enumerate(held, start=1) if s.held_on <= answer.on), default=None)
        given.append(Given(instrument=answer.instrument, session_number=number, on=answer.on))
    return given


def next_session_number(sessions: Sequence[SessionHeld]) -> int:
    """The attended-session count of the next session: the contract and the due rules count attended sessions."""
    return sum(1 for session in sessions if session.attended) + 1


def due_sessions(rule: ScheduleRule, sessions_planned: int | None) -> set[int] | None:
    """Session numbers at which a session-based rule is due, up to the planned last session (None: every one)."""
    if rule.cadence == Cadence.EVERY_SESSION:
        return None
    if rule.cadence == Cadence.EVERY_N_SESSIONS:
        step = max(rule.every_n or 1, 1)
        last = sessions_planned or 0
        numbers = set(range(1, max(last, 1) + 1, step))
        if last:
            numbers.add(last)
        return numbers
    return set()


def _is_due_at(rule: ScheduleRule, number: int, sessions_planned: int | None) -> bool:
    numbers = due_sessions(rule, sessions_planned)
    if numbers is None:
        return True
    if rule.cadence == Cadence.EVERY_N_SESSIONS and sessions_planned is None:
        return (number - 1) % max(rule.every_n or 1, 1) == 0
    return number in numbers


def due_measures(
    rules: Sequence[ScheduleRule],
    *,
    next_session: int,
    sessions_planned: int | None,
    given: Sequence[Given],
    today: dt.date,
) -> tuple[Due, ...]:
    """What to give at `next_session`: due now, or overdue because an earlier due point was missed."""
    due: list[Due] = []
    for rule in rules:
        mine = [g for g in given if g.instrument == rule.instrument]
        if rule.cadence == Cadence.WEEKLY:
            last = max((g.on for g in mine), default=None)
            age = None if last is None else (today - last).days
            if age is None or age >= WEEKLY_DUE_DAYS:
                overdue = age is not None and age >= WEEKLY_OVERDUE_DAYS
                when = "never given" if last is None else f"last given {age} days ago"
                due.append(Due(rule.instrument, overdue, f"weekly; {when}"))
            continue
        numbers_given = {g.session_number for g in mine if g.session_number is not None}
        if next_session in numbers_given:
            continue
        earlier = [n for n in range(1, next_session) if _is_due_at(rule, n, sessions_planned)]
        missed = [n for n in earlier if not any(g >= n for g in numbers_given)]
        if _is_due_at(rule, next_session, sessions_planned):
            due.append(Due(rule.instrument, bool(missed), f"due at session {next_session}"))
        elif missed:
            due.append(Due(rule.instrument, True, f"was due at session {missed[-1]} and not given since"))
    return tuple(due)
