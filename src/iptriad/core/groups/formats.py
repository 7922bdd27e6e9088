"""The group formats iptriad ships, from the programmes in the reference; a programme may define its own.

A group copies its format's numbers when it is created, so changing a format never rewrites a running group.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from iptriad.core.protocol import Phase


class PreGroupMeeting(StrEnum):
    MEMBER = "member"  # the individual pre-group session with the member
    PARENT = "parent"  # adolescents: a second pre-group meeting with a parent (Nepal, SAATHI-2)


@dataclass(frozen=True)
class GroupFormat:
    code: str
    name: str
    sessions: int  # group sessions after the pre-group meeting(s)
    initial_sessions: int  # sessions 1..initial_sessions are the initial phase
    termination_sessions: int  # the last termination_sessions are the termination phase; the rest are the middle
    pre_group: tuple[PreGroupMeeting, ...]
    screening_instrument: str  # the screening measure at the pre-group session (PHQ-9, or PHQ-A for adolescents)
    check_instrument: str  # the symptom check at every session
    completed_at_least: int  # sessions attended (make-ups count) for "completed"; configurable per group
    members_min: int | None
    members_max: int | None
    session_minutes: int | None
    entry_score_at_least: int | None  # the programme's screening entry score, shown as a guide, never enforced
    source: str
    notes: str = ""

    def __post_init__(self) -> None:
        if self.initial_sessions < 1 or self.termination_sessions < 1:
            raise ValueError(f"{self.code}: the initial and termination phases need a session each at least")
        if self.initial_sessions + self.termination_sessions > self.sessions:
            raise ValueError(f"{self.code}: the phases hold more sessions than the format has")
        if not 1 <= self.completed_at_least <= self.sessions:
            raise ValueError(f"{self.code}: 'completed' must be between 1 and {self.sessions} sessions")

    @property
    def middle_sessions(self) -> int:
        return self.sessions - self.initial_sessions - self.termination_sessions


def phase_of_session(number: int, *, sessions: int, initial_sessions: int, termination_sessions: int) -> Phase:
    """The phase a group session belongs to, by its number (1-based)."""
    if not 1 <= number <= sessions:
        raise ValueError(f"A group of {sessions} sessions has no session {number}.")
    if number <= initial_sessions:
        return Phase.INITIAL
    if number > sessions - termination_sessions:
        return Phase.TERMINATION
    return Phase.MIDDLE


FORMATS: tuple[GroupFormat, ...] = (
    GroupFormat(
        code="who_8",
        name="WHO Group IPT: 8 sessions",
        sessions=8,
        initial_sessions=1,
        termination_sessions=1,
        pre_group=(PreGroupMeeting.MEMBER,),
        screening_instrument="phq9",
        check_instrument="phq9",
        completed_at_least=6,
        members_min=None,  # the manual's group size was not confirmed; field programmes use 6-15 (programmes.md §1)
        members_max=None,
        session_minutes=None,
        entry_score_at_least=None,
        source=(
            "WHO Group IPT manual (WHO/MSD/MER/16.4, 2016) as implemented in manual-based adaptations: pre-group, "
            "session 1 initial, 2-7 middle, 8 termination (ipt-protocol.md §7.2 [S22a][S22b]); 'completed' as 6 "
            "of 8 (programmes.md §1, configurable)"
        ),
    ),
    GroupFormat(
        code="strongminds_12",
        name="StrongMinds model: 12 sessions",
        sessions=12,
        initial_sessions=4,
        termination_sessions=3,
        pre_group=(PreGroupMeeting.MEMBER,),
        screening_instrument="phq9",
        check_instrument="phq9",
        completed_at_least=9,
        members_min=12,
        members_max=15,
        session_minutes=90,
        entry_score_at_least=None,
        source=(
            "StrongMinds' published model: 12-15 women, 12 weeks, initial 1-4, middle 5-9, then termination "
            "(programmes.md §1 [V]); 60-90 minutes (ipt-protocol.md §7.3 [S23a]); 'completed' as 9 of 12 is a "
            "Design note (three quarters, as 6 of 8), configurable"
        ),
    ),
    GroupFormat(
        code="uganda_16",
        name="Uganda trial: 16 sessions",
        sessions=16,
        initial_sessions=4,
        termination_sessions=2,
        pre_group=(PreGroupMeeting.MEMBER,),
        screening_instrument="phq9",
        check_instrument="phq9",
        completed_at_least=12,
        members_min=8,
        members_max=12,
        session_minutes=90,
        entry_score_at_least=None,
        source=(
            "Bolton et al. 2003 (JAMA 289:3117): 16 weekly 90-minute sessions, 8-12 members, single-sex, four "
            "initial-phase sessions (programmes.md §1 [V], ipt-protocol.md §7.2 [S20c]); the trial screened with a "
            "locally adapted HSCL, iptriad uses the PHQ-9; two termination sessions and 'completed' as 12 of 16 "
            "are a Design note, configurable"
        ),
        notes="Single-sex groups in the trial.",
    ),
    GroupFormat(
        code="adolescent_10",
        name="Adolescents: 10 sessions, with a parent pre-group meeting",
        sessions=10,
        initial_sessions=2,
        termination_sessions=1,
        pre_group=(PreGroupMeeting.MEMBER, PreGroupMeeting.PARENT),
        screening_instrument="phqa",
        check_instrument="phqa",
        completed_at_least=8,
        members_min=6,
        members_max=8,
        session_minutes=90,
        entry_score_at_least=10,
        source=(
            "Nepal adolescents (SAATHI-2, NCT06017700): 10 weekly sessions of about 90 minutes, 6-8 members, "
            "single-sex, two pre-group meetings (the adolescent alone, and a parent), entry PHQ-A >= 10 "
            "(programmes.md §1 [V]); two initial sessions, one termination session and 'completed' as 8 of 10 are a "
            "Design note, configurable"
        ),
        notes=(
            "The trial also asked for functional impairment and excluded a current suicide plan or an attempt in the "
            "last 3 months."
        ),
    ),
)


def format_by_code(code: str) -> GroupFormat:
    for group_format in FORMATS:
        if group_format.code == code:
            return group_format
    raise KeyError(f"No group format {code!r}.")
