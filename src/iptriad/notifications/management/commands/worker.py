"""`iptriad worker`: run the task queue's consumer (Huey) with the periodic scheduler (the sweep)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from iptriad.notifications.sending import message_sweep
from iptriad.tasks import huey

logger = logging.getLogger("iptriad.worker")


class Command(BaseCommand):
    help = "Run the background worker: sends the queued messages and runs the periodic jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threads", type=int, default=settings.WORKER_THREADS, help="Worker threads (IPTRIAD_WORKER_THREADS)."
        )
        parser.add_argument(
            "--no-periodic",
            action="store_true",
            help="Do not run the periodic jobs here (when another worker runs them; they are safe to run twice).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["threads"] < 1:
            options["threads"] = 1
        # What a worker that died left behind is resolved before new work starts (and every minute after).
        swept = message_sweep(grace=dt.timedelta(0))
        connections.close_all()
        storage = "Redis" if settings.TASK_BROKER_URL else f"SQLite ({settings.TASK_SQLITE_PATH.name})"
        self.stdout.write(
            f"iptriad worker: {options['threads']} threads, queue in {storage}, periodic jobs "
            f"{'off' if options['no_periodic'] else 'on'}; swept {swept.woken} due, {swept.interrupted} "
            f"interrupted, {swept.requeued} re-queued"
        )
        self.stdout.flush()
        consumer = huey.create_consumer(
            workers=options["threads"],
            worker_type="thread",
            periodic=not options["no_periodic"],
            check_worker_health=True,
            # How long an idle worker waits between polls of the SQLite queue (Redis blocks instead).
            initial_delay=0.1,
            max_delay=1.0,
        )
        consumer.run()
