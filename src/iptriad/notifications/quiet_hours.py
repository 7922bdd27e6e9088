"""Quiet hours: no message goes to a client between the organisation's start and end times, in its time zone."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from iptriad.notifications.models import NotificationSettings


def quiet_hours_end_after(settings: NotificationSettings, when: dt.datetime) -> dt.datetime:
    """`when` itself, or the end of the quiet hours it falls in (both aware; start == end means none)."""
    start, end = settings.quiet_hours_start, settings.quiet_hours_end
    if start == end:
        return when
    zone = zoneinfo.ZoneInfo(settings.organisation.time_zone)
    local = when.astimezone(zone)
    clock = local.time().replace(tzinfo=None)
    if start < end:  # e.g. 13:00 to 14:00, within one day
        quiet, end_day = start <= clock < end, local.date()
    elif clock >= start:  # e.g. 21:00 to 08:00, evening part: ends tomorrow
        quiet, end_day = True, local.date() + dt.timedelta(days=1)
    else:  # morning part: ends today
        quiet, end_day = clock < end, local.date()
    if not quiet:
        return when
    # A wall-clock end that a clock change skips resolves forward (zoneinfo's fold=0); either way it is later.
    ends = dt.datetime.combine(end_day, end, tzinfo=zone)
    return max(ends.astimezone(dt.UTC), when)
