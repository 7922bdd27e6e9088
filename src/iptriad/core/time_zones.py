"""Which time zone names an organisation (or the server) may be set to: the IANA zones people live in.

`zoneinfo.available_timezones()` lists every file of the system's zone database, including names that are no
place: `localtime` (whatever the host is set to, so the organisation's dates would move with the server),
`posixrules` and `Factory` (a placeholder whose abbreviation is "-00"), and the `posix/` and `right/` copies (the
`right/` ones count leap seconds, so their clocks are 27 seconds off). Those are refused.
"""

from __future__ import annotations

import functools
import zoneinfo

NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})
NOT_PLACE_PREFIXES = ("posix/", "right/", "SystemV/")


@functools.cache
def time_zone_names() -> frozenset[str]:
    """The IANA names of time zones that are places (and UTC), as the zone database of this machine has them."""
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name not in NOT_PLACES and not name.startswith(NOT_PLACE_PREFIXES)
    )


def is_time_zone_name(name: str) -> bool:
    return name in time_zone_names()
