"""The nightly refresh of SQLite's planner statistics (iptriad.web.statistics), registered with the worker."""

from __future__ import annotations

from typing import Any

from huey import crontab

from iptriad.tasks import huey
from iptriad.web.statistics import statistics_refresh


def _statistics() -> None:
    statistics_refresh()


# Huey is untyped: the task wrappers are Any. After the flags' and outcomes' nightly runs (02:10 and 02:40 UTC).
statistics_refresh_task: Any = huey.periodic_task(crontab(minute="20", hour="3"), name="web.statistics")(_statistics)
