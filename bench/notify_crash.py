"""Crash test of the notifications worker: kill -9 it while it sends, again and again; count what arrived.

    .venv/bin/python bench/notify_crash.py --database sqlite --kills 200
    .venv/bin/python bench/notify_crash.py --database postgresql --kills 50 \\
        --postgres-server postgresql://postgres@127.0.0.1:5432 --redis redis://127.0.0.1:6379/11

The benchmark runs a real SMTP server on loopback (aiosmtpd) that records every message it receives (by its
Message-ID, which names the outbox row) and answers each after a short pause, so kills land between "the server
has it" and "the worker knows". It migrates a fresh database (SQLite in a temporary directory, with the queue in
its tasks.sqlite3; or a new PostgreSQL database with the queue in Redis), queues messages to clients and to staff
(topped up as they go), and over and over starts `iptriad worker`, waits until it is sending, and kills it with
SIGKILL at a random moment. Finally it starts one worker and lets it drain the outbox.

It then counts, per message, how many times the SMTP server received it and the state it ended in, and checks:
no client message was received twice; none is lost (every message ended SENT, INTERRUPTED or FAILED, and every
SENT one was received). Staff messages may arrive twice (re-sent after a kill, by design). Exits 1 on a breach.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import email
import email.policy
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLAIM_TIMEOUT_SECONDS = 1  # short, so each restart's sweep resolves the previous kill's claims
TOP_UP_BELOW = 60
TOP_UP = 150


class Recorder:
    def __init__(self) -> None:
        self.counts: collections.Counter[str] = collections.Counter()
        self.total = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's name
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.counts[str(parsed["Message-ID"])] += 1
            self.total += 1
        await asyncio.sleep(random.uniform(0.001, 0.02))  # noqa: S311  # received, not yet acknowledged: a window for kills
        return "250 OK"


def configure(args: argparse.Namespace, work: Path, smtp_port: int) -> str | None:
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "iptriad.settings",
            "IPTRIAD_DATA_DIR": str(work),
            "IPTRIAD_SECRET_KEY": secrets.token_urlsafe(64),
            "IPTRIAD_LOG_LEVEL": "ERROR",
            "IPTRIAD_EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "IPTRIAD_EMAIL_FROM": "iptriad@crash.example",
            "IPTRIAD_NOTIFY_CLAIM_TIMEOUT_SECONDS": str(CLAIM_TIMEOUT_SECONDS),
            "IPTRIAD_WORKER_THREADS": "2",
            "IPTRIAD_TASK_IMMEDIATE": "0",
        }
    )
    if args.database == "sqlite":
        os.environ["IPTRIAD_DATABASE_URL"] = f"sqlite:///{work / 'crash.sqlite3'}"
        os.environ.pop("IPTRIAD_TASK_BROKER_URL", None)
        return None
    import psycopg
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    os.environ["IPTRIAD_TASK_BROKER_URL"] = args.redis
    name = f"iptriad_notify_crash_{secrets.token_hex(4)}"
    with psycopg.connect(f"{args.postgres_server.rstrip('/')}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["IPTRIAD_DATABASE_URL"] = f"{args.postgres_server.rstrip('/')}/{name}"
    return name


def prepare() -> tuple[Any, Any, Any]:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command

    from iptriad.accounts.models import Membership, Organisation, Role, User
    from iptriad.clients.models import Client
    from iptriad.notifications.models import NotificationSettings

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Crash Clinic", slug="crash", time_zone="UTC")
    # No quiet hours, so clients' messages go at any hour of the run.
    NotificationSettings.objects.create(
        organisation=organisation, quiet_hours_start=dt.time(0), quiet_hours_end=dt.time(0)
    )
    user = User.objects.create_user(email="therapist@crash.example", password=None, full_name="Crash Therapist")
    Membership.objects.create(user=user, organisation=organisation, role=Role.THERAPIST)
    client = Client(
        organisation=organisation,
        identifier="C-1",
        given_name="Crash",
        family_name="Client",
        date_of_birth=dt.date(1990, 1, 1),
        therapist=user,
    )
    client.refresh_search_text()
    client.save()
    return organisation, user, client


def top_up(organisation: Any, user: Any, client: Any, serial: list[int]) -> None:
    from django.db import connections, transaction

    from iptriad.notifications.models import Message, MessageState
    from iptriad.notifications.outbox import Channel, message_queue

    waiting = Message.objects.filter(state__in=(MessageState.QUEUED, MessageState.SENDING)).count()
    if waiting < TOP_UP_BELOW:
        with transaction.atomic():
            for _ in range(TOP_UP):
                serial[0] += 1
                to_client = serial[0] % 2 == 0
                message_queue(
                    organisation=organisation,
                    kind="link_sent" if to_client else "alert_opened",
                    channel=Channel.EMAIL,
                    address="client@crash.example" if to_client else user.email,
                    subject="Crash test",
                    body=f"Message {serial[0]}",
                    dedupe_key=f"crash-{serial[0]}",
                    to_client=client if to_client else None,
                    to_user=None if to_client else user,
                )
    connections.close_all()


def start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "iptriad", "worker"], stdout=subprocess.DEVNULL, start_new_session=True
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--postgres-server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    random.seed(args.seed)

    from aiosmtpd.controller import Controller

    recorder = Recorder()
    with socket.socket() as probe:  # a free port (aiosmtpd checks its own server by connecting to the port)
        probe.bind(("127.0.0.1", 0))
        smtp_port = probe.getsockname()[1]
    controller = Controller(recorder, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    work = Path(tempfile.mkdtemp(prefix="iptriad-notify-crash-"))
    database = configure(args, work, smtp_port)
    started = time.monotonic()
    try:
        organisation, user, client = prepare()
        serial = [0]
        kills = not_sending = 0
        while kills < args.kills:
            top_up(organisation, user, client, serial)
            before = recorder.total
            worker = start_worker()
            deadline = time.monotonic() + 30
            while recorder.total == before and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.005)
            if recorder.total == before:
                not_sending += 1
            time.sleep(random.uniform(0, 0.3))  # noqa: S311 - a random moment, not a secret
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
            else:
                print(f"the worker stopped by itself (exit {worker.returncode})", flush=True)
            worker.wait()
            kills += 1
            if kills % 25 == 0:
                print(f"{kills} kills, {recorder.total} e-mails received", flush=True)
        # Drain: past the claim timeout, one last worker resolves the claims and sends what is left.
        time.sleep(CLAIM_TIMEOUT_SECONDS + 0.5)
        worker = start_worker()
        from iptriad.notifications.models import Message, MessageState

        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if not Message.objects.filter(state__in=(MessageState.QUEUED, MessageState.SENDING)).exists():
                break
            time.sleep(0.2)
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)
        return report(args, recorder, kills, not_sending, time.monotonic() - started)
    finally:
        controller.stop()
        if database:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(f"{args.postgres_server.rstrip('/')}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def report(args: argparse.Namespace, recorder: Recorder, kills: int, not_sending: int, seconds: float) -> int:
    from iptriad.notifications.models import Message, MessageState
    from iptriad.notifications.transports.email import message_id_header

    states: collections.Counter[str] = collections.Counter()
    problems: list[str] = []
    client_twice = staff_twice = sent_not_received = unresolved = interrupted_received = 0
    messages = list(Message.objects.all())
    for message in messages:
        received = recorder.counts.get(message_id_header(message), 0)
        who = "client" if message.to_a_client else "staff"
        states[f"{who} {message.state}"] += 1
        if message.to_a_client and received > 1:
            client_twice += 1
            problems.append(f"client message {message.pk} received {received} times")
        if not message.to_a_client and received > 1:
            staff_twice += 1
        if message.state == MessageState.SENT and received == 0:
            sent_not_received += 1
            problems.append(f"message {message.pk} marked sent but never received")
        if message.state in (MessageState.QUEUED, MessageState.SENDING):
            unresolved += 1
            problems.append(f"message {message.pk} still {message.state}")
        if message.state == MessageState.INTERRUPTED and received:
            interrupted_received += 1
    print(f"database {args.database}, queue {'Redis' if args.database == 'postgresql' else 'SQLite'}")
    print(f"{kills} kills ({not_sending} before the worker sent anything) in {seconds:.0f} s")
    print(f"{len(messages)} messages, {recorder.total} e-mails received")
    for key in sorted(states):
        print(f"  {key}: {states[key]}")
    print(f"client messages received twice: {client_twice}")
    print(f"staff messages received twice (re-sent after a kill, by design): {staff_twice}")
    print(f"interrupted client messages that had in fact arrived: {interrupted_received}")
    print(f"lost (sent but never received, or never resolved): {sent_not_received + unresolved}")
    for problem in problems[:20]:
        print(f"PROBLEM: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
