"""Age and age group, which decide whether adult IPT or IPT-A applies."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

# IPT-A is delivered to adolescents aged 12 to 18 (ipt-protocol.md section 2, [S14]); we treat a client
# as an adolescent from their 12th birthday until their 18th, and as an adult from then on.
ADOLESCENT_FROM_AGE = 12
ADULT_FROM_AGE = 18


class AgeGroup(StrEnum):
    CHILD = "child"
    ADOLESCENT = "adolescent"
    ADULT = "adult"


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Completed years on the given day (a 29 February birthday counts from 1 March in common years)."""
    if on < date_of_birth:
        raise ValueError("the day is before the date of birth")
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - int(before_birthday)


def age_group(date_of_birth: dt.date, on: dt.date) -> AgeGroup:
    age = age_on(date_of_birth, on)
    if age >= ADULT_FROM_AGE:
        return AgeGroup.ADULT
    if age >= ADOLESCENT_FROM_AGE:
        return AgeGroup.ADOLESCENT
    return AgeGroup.CHILD
