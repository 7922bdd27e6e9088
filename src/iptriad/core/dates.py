"""Which dates a person may enter: an event of a course within the course's life, a plan within reach, an event of
a person's life within that life. Each rule answers the message to show, or "" when the date makes sense.

A date typed with a slipped year (0001-01-01, 9999-12-31) is stored as given and then misleads every page that
orders or counts by it (a contract agreed before the client was born, a maintenance plan that never starts).
"""

from __future__ import annotations

import datetime as dt

# How far ahead a plan may start: a contract or maintenance plan agreed now begins within the year.
PLANNED_AHEAD_MAX = dt.timedelta(days=366)
# How long after its start a plan may end: the longest contract (56 sessions) fits, with room for breaks.
PLAN_LENGTH_MAX = dt.timedelta(days=2 * 366)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"  # "1 September 2026", as on the pages


def done_date_error(day: dt.date, *, today: dt.date, opened_on: dt.date, what: str = "This date") -> str:
    """Something done in the course (agreed, reviewed, held): on or after the day it opened, not after today."""
    if day > today:
        return f"{what} is in the future: give the day it happened."
    if day < opened_on:
        return f"{what} is before the course opened ({_day(opened_on)}): check the year."
    return ""


def planned_date_error(day: dt.date, *, today: dt.date, opened_on: dt.date, what: str = "This date") -> str:
    """The start of a plan: on or after the course opened, and within a year from today."""
    if day < opened_on:
        return f"{what} is before the course opened ({_day(opened_on)}): check the year."
    if day > today + PLANNED_AHEAD_MAX:
        return f"{what} is more than a year ahead ({_day(today + PLANNED_AHEAD_MAX)} at the latest): check the year."
    return ""


def plan_end_error(end: dt.date, *, start: dt.date) -> str:
    """The planned end of a plan: not before its start, and within two years of it."""
    if end < start:
        return "The planned end is before the start."
    if end > start + PLAN_LENGTH_MAX:
        return f"The planned end is more than two years after the start ({_day(start)}): check the year."
    return ""


def life_date_error(day: dt.date, *, today: dt.date, born_on: dt.date, what: str = "This date") -> str:
    """An event of the client's life (a timeline event, a diary week, a consent): since birth, not after today."""
    if day > today:
        return f"{what} is in the future."
    if day < born_on:
        return f"{what} is before the client's date of birth ({_day(born_on)}): check the year."
    return ""
