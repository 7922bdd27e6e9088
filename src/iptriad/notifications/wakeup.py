"""Waking a worker for a message: after the commit, never for a change that was rolled back."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


def wake(message_id: int, due: dt.datetime | None = None) -> None:
    """Enqueue the send task now, or for `due`. A queue that is down loses only the wake-up: the sweep sends."""
    from iptriad.notifications.tasks import message_send  # the tasks module imports the sender, which imports this

    try:
        if due is not None and due > timezone.now():
            message_send.schedule(args=(message_id,), eta=due)
        else:
            message_send(message_id)
    except Exception:  # the message is safe in the database; the sweep will find it
        logger.exception("Could not enqueue message %s; the sweep will send it", message_id)


def wake_on_commit(message_id: int, due: dt.datetime | None = None) -> None:
    transaction.on_commit(lambda: wake(message_id, due))
