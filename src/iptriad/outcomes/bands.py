"""Age bands for outcome reports: plain reporting bands, not clinical groups (IPT-A's age rule is iptriad.core.ages).

The bands are those public reports commonly use (under 18, then ten-year bands from 25, 65 and over), so a report can
be set beside a national one. A client's band is taken at the start of the treatment context, so a person does not
move band during a course.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

from iptriad.core.ages import age_on

# (the first age in the band, its label), youngest first; each band runs to the next one's first age.
AGE_BANDS: Final[tuple[tuple[int, str], ...]] = (
    (0, "under 18"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-54"),
    (55, "55-64"),
    (65, "65 and over"),
)
AGE_BAND_LABELS: Final = tuple(label for _first, label in AGE_BANDS)


def age_band(date_of_birth: dt.date | None, on: dt.date) -> str:
    """The band of a person's age on a day; "" (not recorded) without a date of birth or one after the day."""
    if date_of_birth is None or on < date_of_birth:
        return ""
    age = age_on(date_of_birth, on)
    return next(label for first, label in reversed(AGE_BANDS) if age >= first)
