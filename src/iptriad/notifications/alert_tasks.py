"""The periodic job that escalates risk alerts nobody has acknowledged: every minute, run by the worker's
scheduler (Huey's periodic tasks), so the operator adds no cron line."""

from __future__ import annotations

from typing import Any

from huey import crontab

from iptriad.notifications.alerts import alerts_escalate
from iptriad.tasks import huey


def _alerts_escalate() -> None:
    alerts_escalate()


# Huey is untyped: the task wrapper is Any.
alerts_escalate_task: Any = huey.periodic_task(crontab(minute="*"), name="notifications.alerts_escalate")(
    _alerts_escalate
)
