from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from iptriad.env import env_int, env_str
from iptriad.schema import unapplied_migrations
from iptriad.web.supervisor import Supervisor

# Request lines without the query string: a search for a client's name must not land in the log.
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class Command(BaseCommand):
    help = "Serve iptriad with gunicorn (the production WSGI server)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=env_str("IPTRIAD_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("IPTRIAD_PORT", 8000))
        parser.add_argument("--workers", type=int, default=env_int("IPTRIAD_WORKERS", 3))
        parser.add_argument("--threads", type=int, default=env_int("IPTRIAD_THREADS", 2))
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Do not run the background worker beside the server (as IPTRIAD_WORKER=external).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from gunicorn.app.base import BaseApplication

        pending = unapplied_migrations()
        connection.close()  # each worker opens its own
        if pending:
            # Serving an older schema would fail on the first page that touches it.
            raise CommandError(f"{pending} database migrations are not applied: run `iptriad migrate` first.")

        from iptriad.wsgi import application

        bind = f"{options['host']}:{options['port']}"
        config = {
            "bind": bind,
            "workers": options["workers"],
            "threads": options["threads"],
            "worker_class": "gthread",
            "accesslog": "-",
            "access_log_format": ACCESS_LOG_FORMAT,
            "logger_class": "iptriad.web.access_log.RedactingLogger",
            "forwarded_allow_ips": env_str("IPTRIAD_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        }

        class Server(BaseApplication):  # type: ignore[misc]
            def load_config(self) -> None:
                for key, value in config.items():
                    self.cfg.set(key, value)

            def load(self) -> Any:
                return application

        worker = None
        if not options["no_worker"] and settings.WORKER_MODE == "embedded":
            # A child process, so the server does not import what the worker runs; supervised, so it comes back.
            worker = Supervisor([sys.executable, "-m", "iptriad", "worker"])
            worker.start()
        self.stdout.write(f"iptriad is serving on http://{bind}/ (Ctrl+C stops it)")
        self.stdout.flush()
        server_pid = os.getpid()
        try:
            Server().run()
        finally:
            # Gunicorn's forked workers leave through here too: only the server itself stops the worker.
            if worker is not None and os.getpid() == server_pid:
                worker.stop()
