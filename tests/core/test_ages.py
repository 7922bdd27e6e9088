import datetime as dt

import pytest

from iptriad.core.ages import AgeGroup, age_group, age_on


def test_it_counts_completed_years():
    assert age_on(dt.date(2000, 6, 15), dt.date(2026, 6, 14)) == 25
    assert age_on(dt.date(2000, 6, 15), dt.date(2026, 6, 15)) == 26


def test_it_counts_a_leap_day_birthday_from_the_first_of_march():
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 2, 28)) == 17
    assert age_on(dt.date(2008, 2, 29), dt.date(2026, 3, 1)) == 18


def test_it_refuses_a_day_before_birth():
    with pytest.raises(ValueError, match="before the date of birth"):
        age_on(dt.date(2020, 1, 1), dt.date(2019, 12, 31))


@pytest.mark.parametrize(
    ("born", "expected"),
    [
        (dt.date(2014, 11, 27), AgeGroup.CHILD),  # 11 the day before their 12th birthday
        (dt.date(2014, 11, 26), AgeGroup.ADOLESCENT),  # 12 today
        (dt.date(2008, 11, 27), AgeGroup.ADOLESCENT),  # still 17
        (dt.date(2008, 11, 26), AgeGroup.ADULT),  # 18 today
    ],
)
def test_it_places_the_boundaries_of_ipt_a_at_12_and_18(born, expected):
    assert age_group(born, dt.date(2026, 11, 26)) == expected
