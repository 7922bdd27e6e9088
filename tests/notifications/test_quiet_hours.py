"""quiet_hours_end_after: the organisation's time zone, spans over midnight, clock changes."""

from __future__ import annotations

import datetime as dt

import pytest

from iptriad.accounts.models import Organisation
from iptriad.notifications.models import NotificationSettings
from iptriad.notifications.quiet_hours import quiet_hours_end_after


def settings_of(zone: str, start: dt.time, end: dt.time) -> NotificationSettings:
    return NotificationSettings(organisation=Organisation(time_zone=zone), quiet_hours_start=start, quiet_hours_end=end)


UTC = dt.UTC


@pytest.mark.parametrize(
    ("zone", "when", "expected"),
    [
        # London in winter is UTC: 21:00-08:00.
        ("Europe/London", dt.datetime(2026, 1, 14, 20, 59, tzinfo=UTC), None),
        ("Europe/London", dt.datetime(2026, 1, 14, 21, 0, tzinfo=UTC), dt.datetime(2026, 1, 15, 8, 0, tzinfo=UTC)),
        ("Europe/London", dt.datetime(2026, 1, 15, 3, 0, tzinfo=UTC), dt.datetime(2026, 1, 15, 8, 0, tzinfo=UTC)),
        ("Europe/London", dt.datetime(2026, 1, 15, 8, 0, tzinfo=UTC), None),
        # London in summer is UTC+1: 21:00 local is 20:00 UTC, and 08:00 local is 07:00 UTC.
        ("Europe/London", dt.datetime(2026, 7, 1, 20, 30, tzinfo=UTC), dt.datetime(2026, 7, 2, 7, 0, tzinfo=UTC)),
        # Kampala is UTC+3: 19:00 UTC is 22:00 there.
        ("Africa/Kampala", dt.datetime(2026, 1, 14, 19, 0, tzinfo=UTC), dt.datetime(2026, 1, 15, 5, 0, tzinfo=UTC)),
        ("Africa/Kampala", dt.datetime(2026, 1, 14, 12, 0, tzinfo=UTC), None),
        # The night the clocks go forward (29 March 2026, London): 01:30 UTC is 02:30 BST; quiet until 08:00 BST.
        ("Europe/London", dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC), dt.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)),
    ],
)
def test_overnight_quiet_hours(zone, when, expected):
    settings = settings_of(zone, dt.time(21), dt.time(8))
    assert quiet_hours_end_after(settings, when) == (expected or when)


def test_quiet_hours_within_one_day():
    settings = settings_of("UTC", dt.time(12), dt.time(14))
    assert quiet_hours_end_after(settings, dt.datetime(2026, 1, 1, 13, tzinfo=UTC)) == dt.datetime(
        2026, 1, 1, 14, tzinfo=UTC
    )
    assert quiet_hours_end_after(settings, dt.datetime(2026, 1, 1, 15, tzinfo=UTC)) == dt.datetime(
        2026, 1, 1, 15, tzinfo=UTC
    )


def test_equal_start_and_end_means_no_quiet_hours():
    settings = settings_of("UTC", dt.time(8), dt.time(8))
    when = dt.datetime(2026, 1, 1, 3, tzinfo=UTC)
    assert quiet_hours_end_after(settings, when) == when
