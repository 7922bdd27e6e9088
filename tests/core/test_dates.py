"""The rules for dates a person enters (iptriad.core.dates)."""

from __future__ import annotations

import datetime as dt

import pytest

from iptriad.core.dates import done_date_error, life_date_error, plan_end_error, planned_date_error
from iptriad.core.time_zones import is_time_zone_name

TODAY = dt.date(2026, 11, 26)
OPENED = dt.date(2026, 9, 1)
BORN = dt.date(1990, 4, 2)


@pytest.mark.parametrize(
    ("day", "refused"),
    [
        (OPENED, False),
        (TODAY, False),
        (dt.date(1, 1, 1), True),
        (OPENED - dt.timedelta(days=1), True),
        (TODAY + dt.timedelta(days=1), True),
        (dt.date(9999, 12, 31), True),
    ],
)
def test_a_done_date_lies_between_the_opening_and_today(day, refused):
    assert bool(done_date_error(day, today=TODAY, opened_on=OPENED)) is refused


def test_the_messages_say_what_to_check():
    assert done_date_error(dt.date(1, 1, 1), today=TODAY, opened_on=OPENED) == (
        "This date is before the course opened (1 September 2026): check the year."
    )
    assert "in the future" in done_date_error(dt.date(9999, 12, 31), today=TODAY, opened_on=OPENED)


@pytest.mark.parametrize(
    ("day", "refused"),
    [
        (OPENED, False),
        (TODAY + dt.timedelta(days=366), False),
        (TODAY + dt.timedelta(days=367), True),
        (dt.date(9999, 12, 31), True),
        (dt.date(1, 1, 1), True),
    ],
)
def test_a_plan_starts_within_the_year(day, refused):
    assert bool(planned_date_error(day, today=TODAY, opened_on=OPENED)) is refused


def test_a_plan_ends_after_its_start_within_two_years():
    assert plan_end_error(OPENED + dt.timedelta(weeks=56), start=OPENED) == ""
    assert plan_end_error(OPENED - dt.timedelta(days=1), start=OPENED)
    assert plan_end_error(dt.date(9999, 12, 31), start=OPENED)


@pytest.mark.parametrize(
    ("day", "refused"), [(BORN, False), (TODAY, False), (dt.date(1, 1, 1), True), (dt.date(9999, 12, 31), True)]
)
def test_a_life_event_lies_between_birth_and_today(day, refused):
    assert bool(life_date_error(day, today=TODAY, born_on=BORN)) is refused


@pytest.mark.parametrize("name", ["Europe/London", "Africa/Kampala", "UTC", "America/Argentina/Buenos_Aires"])
def test_time_zones_of_places_are_taken(name):
    assert is_time_zone_name(name)


@pytest.mark.parametrize(
    "name", ["localtime", "posixrules", "Factory", "posix/Europe/London", "right/UTC", "Europe/Atlantis", "", "../etc"]
)
def test_names_that_are_no_place_are_refused(name):
    assert not is_time_zone_name(name)
