"""The task queue's plumbing: one Huey instance built from the settings, and nothing about what the tasks do.

The embedded default keeps the queue in `IPTRIAD_DATA_DIR/tasks.sqlite3` (one machine, nothing else to start);
`IPTRIAD_TASK_BROKER_URL=redis://...` puts it in Redis so workers can run on any number of machines. Under the
tests (`IPTRIAD_TASK_IMMEDIATE`), a task runs in the calling process when it is enqueued, from memory.

The queue is only a wake-up call: what must happen is a row in the database first (the notifications outbox), so
nothing is lost with the queue (docs/decisions/0029-task-queue-huey-and-an-outbox.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import close_old_connections
from huey import RedisHuey, SqliteHuey
from huey.api import Huey

QUEUE_NAME = "iptriad"


def build_huey() -> Huey:
    common = {"results": False, "immediate": settings.TASK_IMMEDIATE, "utc": True}
    if settings.TASK_BROKER_URL:
        return RedisHuey(QUEUE_NAME, url=settings.TASK_BROKER_URL, **common)
    path = settings.TASK_SQLITE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    # fsync: a task acknowledged as enqueued survives a power cut, like the database row that caused it.
    return SqliteHuey(QUEUE_NAME, filename=str(path), fsync=True, timeout=20, **common)


huey: Huey = build_huey()


def _fresh_connections_before(task: object) -> None:
    if huey.immediate:  # run by the caller's process (the tests), whose connections are its own to manage
        return
    # A worker thread outlives many tasks: drop a connection the database closed or that has aged out, as a
    # request would (Django does this per request, and a worker has no requests).
    close_old_connections()


def _fresh_connections_after(task: object, task_value: object, exc: BaseException | None) -> None:
    if huey.immediate:
        return
    close_old_connections()


huey.pre_execute()(_fresh_connections_before)
huey.post_execute()(_fresh_connections_after)
