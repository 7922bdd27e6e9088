import datetime as dt

import pytest

from iptriad.outcomes.bands import AGE_BAND_LABELS, age_band

DAY = dt.date(2026, 6, 15)


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (dt.date(2010, 6, 16), "under 18"),  # 15
        (dt.date(2008, 6, 16), "under 18"),  # 17, the day before their 18th birthday
        (dt.date(2008, 6, 15), "18-24"),
        (dt.date(2001, 6, 16), "18-24"),  # 24
        (dt.date(2001, 6, 15), "25-34"),
        (dt.date(1991, 6, 15), "35-44"),
        (dt.date(1981, 6, 15), "45-54"),
        (dt.date(1971, 6, 15), "55-64"),
        (dt.date(1961, 6, 15), "65 and over"),
        (dt.date(1930, 1, 1), "65 and over"),
    ],
)
def test_it_bands_the_age_on_the_day(born, band):
    assert age_band(born, DAY) == band


def test_it_says_nothing_without_a_date_of_birth_or_with_one_after_the_day():
    assert age_band(None, DAY) == ""
    assert age_band(DAY + dt.timedelta(days=1), DAY) == ""


def test_the_bands_are_plain_reporting_bands_in_order():
    assert AGE_BAND_LABELS == ("under 18", "18-24", "25-34", "35-44", "45-54", "55-64", "65 and over")
