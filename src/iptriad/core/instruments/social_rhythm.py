"""The Social Rhythm Metric (SRM-5) for IPSRT: a week's diary of when five daily activities happened.

Algorithm from instruments.md section 15, tagged [M] there ("verify against Monk 1990 / 2002"):
an activity that happened on at least 3 days of the week qualifies; its habitual time is the mean of its
times, recomputed after leaving out times more than 1.5 SD from the mean; a hit is a time within 45 minutes
of the habitual time; the SRM score is hits / qualifying activities (0-7, higher = more regular); the
Activity Level Index (ALI) counts every occurrence in the week.

Where the reference leaves details open we chose, and say so here: clock times are averaged on the circle,
so 23:30 and 00:30 average to midnight, not to noon (a bedtime diary crosses midnight); the SD is the
population SD of the circular differences from the mean; with an SD of 0 nothing is left out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from iptriad.core.instruments.model import Instrument, Scoring
from iptriad.core.instruments.scoring import AnswerError, round_half_up

DAYS_PER_WEEK = 7
MINUTES_PER_DAY = 24 * 60
MIN_OCCURRENCES = 3  # [M] instruments.md §15 step 2
OUTLIER_SD = 1.5  # [M] step 2
HIT_WINDOW_MINUTES = 45  # [M] step 3


@dataclass(frozen=True)
class SocialRhythmResult:
    instrument: str
    version: str
    score: float | None  # None when no activity happened on 3 or more days
    activity_level_index: int
    qualifying_activities: tuple[int, ...]
    habitual_minutes: dict[int, int]  # activity number -> habitual time, minutes after midnight
    hits: dict[int, int]
    valid: bool
    reasons: tuple[str, ...] = ()


def parse_clock_time(text: str) -> int:
    """'07:45' -> 465 minutes after midnight; refuses anything that is not HH:MM on a 24-hour clock."""
    hours, _, minutes = text.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) in (1, 2)):
        raise AnswerError(f"'{text}' is not a clock time HH:MM")
    if int(hours) > 23 or int(minutes) > 59:
        raise AnswerError(f"'{text}' is not a clock time between 00:00 and 23:59")
    return int(hours) * 60 + int(minutes)


def format_clock_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _circular_mean(minutes: Sequence[int]) -> float:
    angles = [2 * math.pi * m / MINUTES_PER_DAY for m in minutes]
    mean_angle = math.atan2(sum(math.sin(a) for a in angles), sum(math.cos(a) for a in angles))
    return (mean_angle / (2 * math.pi) * MINUTES_PER_DAY) % MINUTES_PER_DAY


def _difference(a: float, b: float) -> float:
    """The shorter way round the clock between two times, in minutes (0-720)."""
    gap = abs(a - b) % MINUTES_PER_DAY
    return min(gap, MINUTES_PER_DAY - gap)


def habitual_time(times: Sequence[int]) -> float:
    mean = _circular_mean(times)
    differences = [_difference(t, mean) for t in times]
    sd = math.sqrt(sum(d * d for d in differences) / len(differences))
    if sd == 0:
        return mean
    kept = [t for t, d in zip(times, differences, strict=True) if d <= OUTLIER_SD * sd]
    return _circular_mean(kept) if kept else mean


def score_social_rhythm(instrument: Instrument, week: Sequence[Sequence[int | None]]) -> SocialRhythmResult:
    """`week[day][activity]` is minutes after midnight, or None when the activity did not happen that day."""
    if instrument.scoring != Scoring.SOCIAL_RHYTHM:
        raise AnswerError(f"{instrument.code} is not a social rhythm diary")
    activities = len(instrument.items)
    if len(week) != DAYS_PER_WEEK or any(len(day) != activities for day in week):
        raise AnswerError(f"{instrument.code} takes {DAYS_PER_WEEK} days of {activities} times")
    occurrences = 0
    qualifying: list[int] = []
    habitual: dict[int, int] = {}
    hits: dict[int, int] = {}
    for index in range(activities):
        number = index + 1
        times = [day[index] for day in week if day[index] is not None]
        present = [t for t in times if t is not None]
        occurrences += len(present)
        if len(present) < MIN_OCCURRENCES:
            continue
        usual = habitual_time(present)
        qualifying.append(number)
        habitual[number] = int(round_half_up(usual)) % MINUTES_PER_DAY
        hits[number] = sum(1 for t in present if _difference(t, usual) <= HIT_WINDOW_MINUTES)
    if not qualifying:
        return SocialRhythmResult(
            instrument=instrument.code,
            version=instrument.version,
            score=None,
            activity_level_index=occurrences,
            qualifying_activities=(),
            habitual_minutes={},
            hits={},
            valid=False,
            reasons=(f"no activity happened on {MIN_OCCURRENCES} or more days",),
        )
    srm = float(round_half_up(sum(hits.values()) / len(qualifying), 2))
    return SocialRhythmResult(
        instrument=instrument.code,
        version=instrument.version,
        score=srm,
        activity_level_index=occurrences,
        qualifying_activities=tuple(qualifying),
        habitual_minutes=habitual,
        hits=hits,
        valid=True,
    )
