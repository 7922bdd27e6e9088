"""The worker's periodic job for self-report links sent on schedule (iptriad.notifications.links)."""

from __future__ import annotations

import logging
from typing import Any

from huey import crontab

from iptriad.notifications.links import scheduled_links_run
from iptriad.tasks import huey

logger = logging.getLogger(__name__)

# Design note: every 15 minutes is soon enough for a link sent days before a session, and stops a reminder
# within 15 minutes of a course ending (answers, withdrawals, opt-outs and archiving stop them at once).
EVERY = "*/15"


def _scheduled_links() -> None:
    run = scheduled_links_run()
    logger.info(
        "scheduled links: %d sent, %d reminders, %d cancelled, %d tokens wiped, skipped %s",
        run.links_sent,
        run.reminders_queued,
        run.cancelled,
        run.wiped,
        dict(run.skipped),
    )


scheduled_links_task: Any = huey.periodic_task(crontab(minute=EVERY), name="notifications.scheduled_links")(
    _scheduled_links
)
