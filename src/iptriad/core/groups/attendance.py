"""Attendance rules over one member's rows, in session order.

Reached and completed follow programmes.md §1 (reached: at least one session; completed: a configurable number);
outreach after two missed sessions in a row is the reference's design note (ipt-protocol.md §7.5 [BK]).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class Attendance(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"  # missed, without word: counts towards outreach
    EXCUSED = "excused"  # missed with word beforehand (or held for clinical review)
    MAKE_UP = "make_up"  # missed the group, caught up in a make-up meeting: counts as attended


ATTENDED = frozenset({Attendance.PRESENT, Attendance.MAKE_UP})
OUTREACH_AFTER_MISSED = 2


def attended_count(statuses: Sequence[str]) -> int:
    return sum(1 for status in statuses if status in ATTENDED)


def reached(statuses: Sequence[str]) -> bool:
    return attended_count(statuses) >= 1


def completed(statuses: Sequence[str], at_least: int) -> bool:
    return attended_count(statuses) >= at_least


def missed_in_a_row(statuses: Sequence[str]) -> int:
    """How many of the latest sessions in a row the member missed without word (an excused session breaks nothing
    and counts nothing: it is neither attended nor missed)."""
    missed = 0
    for status in reversed(statuses):
        if status == Attendance.ABSENT:
            missed += 1
        elif status == Attendance.EXCUSED:
            continue
        else:
            break
    return missed


def needs_outreach(statuses: Sequence[str]) -> bool:
    """True when the latest session makes exactly the second miss in a row: one outreach task per run of misses."""
    return bool(statuses) and statuses[-1] == Attendance.ABSENT and missed_in_a_row(statuses) == OUTREACH_AFTER_MISSED
