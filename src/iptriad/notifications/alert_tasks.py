"""The periodic job that escalates risk alerts nobody has acknowledged: every minute, run by the worker's
scheduler (Huey's periodic tasks), so the operator adds no cron line."""

from __future__ import annotations

from huey import crontab

from iptriad.notifications.alerts import alerts_escalate
from iptriad.tasks import huey


@huey.periodic_task(crontab(), name="alerts_escalate")
def alerts_escalate_task() -> int:
    return alerts_escalate()
