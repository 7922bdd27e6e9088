"""The worker's tasks: send one message, and the sweep every minute (Huey's periodic scheduler runs it)."""

from __future__ import annotations

from typing import Any

from huey import crontab

from iptriad.notifications.sending import message_deliver, message_sweep
from iptriad.tasks import huey


def _message_send(message_id: int) -> None:
    message_deliver(message_id=message_id)


def _message_sweep() -> None:
    message_sweep()


# Huey is untyped: the task wrappers are Any (call them, or .schedule(args=..., eta=...)).
message_send: Any = huey.task(name="notifications.message_send")(_message_send)
message_sweep_task: Any = huey.periodic_task(crontab(minute="*"), name="notifications.message_sweep")(_message_sweep)
