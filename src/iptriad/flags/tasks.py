"""The daily job that refreshes the flags that may change with time alone (a review growing 14 days old, a weekly
measure falling overdue): run by the worker's scheduler (Huey's periodic tasks), so the operator adds no cron line."""

from __future__ import annotations

from typing import Any

from huey import crontab

from iptriad.flags.services import flags_recheck
from iptriad.tasks import huey


def _flags_recheck() -> None:
    flags_recheck()


# Early in the morning (UTC), before the day's sessions; a worker down at that hour catches up at the next run,
# since the rows stay due (recheck_on <= today). Huey is untyped: the task wrapper is Any.
flags_recheck_task: Any = huey.periodic_task(crontab(minute="10", hour="2"), name="flags.recheck")(_flags_recheck)
