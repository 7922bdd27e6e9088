"""Crash test: kill -9 the server in the middle of a stream of acknowledged writes, again and again.

    .venv/bin/python bench/crash.py --database sqlite --iterations 1000
    .venv/bin/python bench/crash.py --database postgresql --iterations 100 \\
        --postgres-server postgresql://postgres@127.0.0.1:5432

One process sets Django up on a fresh database of its own (a new SQLite file in a temporary directory, or a
new PostgreSQL database that is dropped at the end), migrates it, and makes a therapist with an API token.
Each iteration it forks a child that serves real HTTP (wsgiref, a thread per request) on a fresh socket,
while writer threads post clients and PHQ-9 administrations (an administration is one row, nine answers, a
risk alert and audit events in one transaction) through /api/v1 with the token. At a random moment it sends
the child SIGKILL. Then, with the server dead, it checks that every write answered 201 is in the database
with its audit event, that no administration is partial, that `PRAGMA integrity_check` is ok (SQLite), and
every few iterations and at the end that the audit hash chains verify (iptriad.audit.chain.verify_chains).

It prints "audit chain verified: E events in C chains, K checks, all intact" and "N iterations, W acknowledged
writes checked, L lost", and exits 1 if anything was lost or broken.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHQ9_WITH_RISK = [1, 1, 1, 1, 1, 1, 1, 2, 1]
PHQ9_ITEMS = len(PHQ9_WITH_RISK)
REQUEST_TIMEOUT_SECONDS = 10


@dataclass
class Acks:
    """What the server acknowledged (201) in one iteration, recorded by the writers as the answers arrive."""

    clients: dict[str, int] = field(default_factory=dict)  # identifier -> id
    administrations: list[int] = field(default_factory=list)
    attempts: int = 0
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class Totals:
    iterations: int = 0
    acknowledged: int = 0
    lost: int = 0
    attempts: int = 0
    partial: int = 0
    unacknowledged_but_saved: int = 0
    chain_checks: int = 0
    chain_events: int = 0  # events the last chain verification checked
    chain_chains: int = 0
    chain_broken: bool = False
    problems: list[str] = field(default_factory=list)


def configure(database: str, postgres_server: str, work: Path) -> str | None:
    """Point the settings at a fresh database before Django starts; the PostgreSQL database's name, if any."""
    os.environ["IPTRIAD_DATA_DIR"] = str(work)
    os.environ["IPTRIAD_SECRET_KEY"] = secrets.token_urlsafe(64)
    os.environ["IPTRIAD_LOG_LEVEL"] = "ERROR"
    os.environ["IPTRIAD_DB_CONN_MAX_AGE"] = "0"  # a thread per request: no connection may outlive it
    os.environ["DJANGO_SETTINGS_MODULE"] = "iptriad.settings"
    if database == "sqlite":
        os.environ["IPTRIAD_DATABASE_URL"] = f"sqlite:///{work / 'crash.sqlite3'}"
        return None
    import psycopg

    name = f"iptriad_crash_{secrets.token_hex(6)}"
    with psycopg.connect(f"{postgres_server.rstrip('/')}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["IPTRIAD_DATABASE_URL"] = f"{postgres_server.rstrip('/')}/{name}"
    return name


def drop_postgres_database(postgres_server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{postgres_server.rstrip('/')}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare() -> str:
    """Migrate, and make an organisation with a therapist and their API token."""
    import django

    django.setup()
    from django.core.management import call_command

    from iptriad.accounts.actors import Actor
    from iptriad.accounts.models import Membership, Organisation, Role, User
    from iptriad.api.services import api_token_create

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Crash Clinic", slug="crash", time_zone="UTC")
    user = User.objects.create_user(email="therapist@crash.example", password=None, full_name="Crash Therapist")
    Membership.objects.create(user=user, organisation=organisation, role=Role.THERAPIST)
    _, token = api_token_create(actor=Actor.operator(organisation), user=user, name="crash test", days=30)
    return token


def warm_up(token: str) -> None:
    """Load the URL conf, the API and the templates once here, so every forked server starts warm."""
    from django.db import connections
    from django.test import Client as HttpClient

    response = HttpClient(HTTP_HOST="127.0.0.1").get("/api/v1/clients", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.status_code
    connections.close_all()


def serve_forever(listener: socket.socket) -> None:
    """The child: serve the app on the inherited socket until killed."""
    import socketserver
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

    from django.core.wsgi import get_wsgi_application

    class Server(socketserver.ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = Server(listener.getsockname(), QuietHandler, bind_and_activate=False)
    server.socket.close()
    server.socket = listener
    server.server_name, server.server_port = listener.getsockname()
    server.setup_environ()
    server.set_app(get_wsgi_application())
    server.serve_forever(poll_interval=0.05)


def post(port: int, token: str, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT_SECONDS)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        connection.request("POST", f"/api/v1{path}", json.dumps(body), headers)
        response = connection.getresponse()
        payload = response.read()
        return response.status, json.loads(payload) if payload else None
    finally:
        connection.close()


def writer(port: int, token: str, label: str, acks: Acks, stop: threading.Event) -> None:
    """Post a client, then an administration for it, until stopped; record each 201 as it arrives."""
    sequence = 0
    while not stop.is_set():
        sequence += 1
        identifier = f"{label}-{sequence}"
        body = {"identifier": identifier, "given_name": "Crash", "family_name": "Test", "date_of_birth": "1990-01-01"}
        with acks.lock:
            acks.attempts += 1
        try:
            status, created = post(port, token, "/clients", body)
            if status != 201 or created is None:
                raise RuntimeError(f"client answered {status}")
            with acks.lock:
                acks.clients[identifier] = int(created["id"])
            with acks.lock:
                acks.attempts += 1
            status, administered = post(
                port,
                token,
                f"/clients/{created['id']}/administrations",
                {"instrument": "phq9", "answers": PHQ9_WITH_RISK},
            )
            if status != 201 or administered is None:
                raise RuntimeError(f"administration answered {status}")
            with acks.lock:
                acks.administrations.append(int(administered["id"]))
        except (OSError, http.client.HTTPException, RuntimeError, ValueError):
            with acks.lock:
                acks.failures += 1
            if stop.is_set():
                return
            time.sleep(0.005)  # the server is gone or not yet accepting: try again until stopped


def listening_socket() -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # a free port chosen by the kernel: no clash with other runs
    listener.listen(128)
    return listener


def run_iteration(index: int, token: str, writers: int, kill_after: float) -> Acks:
    listener = listening_socket()
    port = listener.getsockname()[1]
    pid = os.fork()
    if pid == 0:  # the server
        try:
            serve_forever(listener)
        finally:
            os._exit(0)
    acks = Acks()
    stop = threading.Event()
    threads = [
        threading.Thread(target=writer, args=(port, token, f"C{index}-{n}", acks, stop), daemon=True)
        for n in range(writers)
    ]
    for thread in threads:
        thread.start()
    time.sleep(kill_after)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    stop.set()
    listener.close()  # refuses connections still queued for the dead server, so the writers stop at once
    for thread in threads:
        thread.join(REQUEST_TIMEOUT_SECONDS * 3)
    return acks


def check(acks: Acks, index: int, totals: Totals) -> None:
    """Every acknowledged write is there, with its audit event; no administration is half-written."""
    from django.db import connection, connections
    from django.db.models import Count

    from iptriad.audit.models import AuditEvent
    from iptriad.clients.models import Client
    from iptriad.measures.models import Administration

    found = dict(Client.objects.filter(identifier__in=acks.clients).values_list("identifier", "pk"))
    lost_clients = [identifier for identifier, pk in acks.clients.items() if found.get(identifier) != pk]
    audited = set(
        AuditEvent.objects.filter(
            action="client.created", object_id__in=[str(pk) for pk in acks.clients.values()]
        ).values_list("object_id", flat=True)
    )
    unaudited = [pk for pk in acks.clients.values() if str(pk) not in audited]
    administrations = dict(
        Administration.objects.filter(pk__in=acks.administrations)
        .annotate(items=Count("answers"))
        .values_list("pk", "items")
    )
    lost_administrations = [pk for pk in acks.administrations if pk not in administrations]
    partial = (
        Administration.objects.filter(client__identifier__startswith=f"C{index}-")
        .annotate(items=Count("answers"))
        .exclude(items=PHQ9_ITEMS)
        .count()
    )
    prefix = f"C{index}-"
    saved = Client.objects.filter(identifier__startswith=prefix).count()
    totals.unacknowledged_but_saved += saved - len(acks.clients)
    totals.acknowledged += len(acks.clients) + len(acks.administrations)
    totals.attempts += acks.attempts
    totals.lost += len(lost_clients) + len(lost_administrations)
    totals.partial += partial
    if lost_clients or lost_administrations or unaudited or partial:
        totals.problems.append(
            f"iteration {index}: lost clients {lost_clients[:5]}, lost administrations {lost_administrations[:5]}, "
            f"clients without their audit event {unaudited[:5]}, partial administrations {partial}"
        )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            result = "; ".join(row[0] for row in cursor.fetchall())
        if result != "ok":
            totals.problems.append(f"iteration {index}: integrity_check {result}")
    connections.close_all()  # nothing open across the next fork


def check_chain(index: int, totals: Totals) -> None:
    """Recompute every audit hash chain from its first event: the kills must not have broken one."""
    from django.db import connections

    from iptriad.audit.chain import verify_chains

    report = verify_chains()
    connections.close_all()
    totals.chain_checks += 1
    totals.chain_events, totals.chain_chains = report.events_checked, len(report.chains)
    if not report.ok:
        totals.chain_broken = True
        shown = "; ".join(str(problem) for problem in report.problems[:5])
        totals.problems.append(f"after iteration {index}: audit chain broken, {report.problem_count} problems: {shown}")


def chain_summary(totals: Totals) -> str:
    if totals.chain_broken:
        return f"audit chain BROKEN: see the problems below ({totals.chain_checks} checks)"
    chains = "1 chain" if totals.chain_chains == 1 else f"{totals.chain_chains} chains"
    return f"audit chain verified: {totals.chain_events} events in {chains}, {totals.chain_checks} checks, all intact"


def check_postgres_indexes(totals: Totals) -> str:
    """amcheck's bt_index_check on every B-tree index of the database (needs the amcheck extension)."""
    from django.db import connection, connections
    from django.db.utils import DatabaseError

    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
            cursor.execute(
                "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE a.amname = 'btree' AND n.nspname = current_schema()"
            )
            indexes = [row[0] for row in cursor.fetchall()]
            for index in indexes:
                cursor.execute("SELECT bt_index_check(%s::regclass, true)", [index])
    except DatabaseError as error:
        if "amcheck" in str(error) and "extension" in str(error):
            return f"amcheck: not available ({error})"
        totals.problems.append(f"amcheck: {error}")
        return f"amcheck: FAILED ({error})"
    finally:
        connections.close_all()
    return f"amcheck: {len(indexes)} B-tree indexes checked (heap included), no corruption"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--writers", type=int, default=4, help="concurrent writer threads")
    parser.add_argument("--kill-min", type=float, default=0.05, help="earliest kill, seconds into an iteration")
    parser.add_argument("--kill-max", type=float, default=0.40, help="latest kill, seconds into an iteration")
    parser.add_argument("--chain-every", type=int, default=25, help="verify the audit chain every N iterations")
    parser.add_argument("--progress-every", type=int, default=100, help="print a progress line every N iterations")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--postgres-server",
        default=os.environ.get("IPTRIAD_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432"),
        help="a PostgreSQL server URL (no database name); a fresh database is created on it and dropped after",
    )
    options = parser.parse_args(argv)
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    chooser = random.Random(seed)  # noqa: S311 - a reproducible kill schedule, not a secret
    work = Path(tempfile.mkdtemp(prefix="iptriad-crash-"))
    postgres_name = configure(options.database, options.postgres_server, work)
    totals = Totals()
    started = time.monotonic()
    try:
        token = prepare()
        warm_up(token)
        for index in range(1, options.iterations + 1):
            acks = run_iteration(index, token, options.writers, chooser.uniform(options.kill_min, options.kill_max))
            check(acks, index, totals)
            totals.iterations += 1
            if index % options.chain_every == 0 and index != options.iterations:
                check_chain(index, totals)
            if index % options.progress_every == 0:
                print(
                    f"  {index} iterations, {totals.acknowledged} acknowledged, {totals.lost} lost, "
                    f"{time.monotonic() - started:.0f} s",
                    flush=True,
                )
        check_chain(totals.iterations, totals)
        indexes = check_postgres_indexes(totals) if options.database == "postgresql" else None
    finally:
        if postgres_name is not None:
            from django.db import connections

            connections.close_all()
            drop_postgres_database(options.postgres_server, postgres_name)
        shutil.rmtree(work, ignore_errors=True)
    elapsed = time.monotonic() - started
    print(
        f"crash test on {options.database} (seed {seed}, {options.writers} writers, kill after "
        f"{options.kill_min:.2f}-{options.kill_max:.2f} s): {totals.attempts} writes attempted, "
        f"{totals.unacknowledged_but_saved} saved but unacknowledged (killed before the answer), "
        f"{totals.partial} partial administrations, {elapsed:.1f} s"
    )
    print(chain_summary(totals))
    if indexes is not None:
        print(indexes)
    for problem in totals.problems[:20]:
        print(f"PROBLEM {problem}")
    print(f"{totals.iterations} iterations, {totals.acknowledged} acknowledged writes checked, {totals.lost} lost")
    return 1 if totals.problems or totals.lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
