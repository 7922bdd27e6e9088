"""Legitimate audited writes per second while 10 threads hammer the API with a bogus bearer token.

    .venv/bin/python bench/audit_flood.py --seconds 20                       # SQLite
    .venv/bin/python bench/audit_flood.py --seconds 20 --database postgresql --postgres postgresql://postgres@127.0.0.1:5432

A fresh database, served by `iptriad serve` (gunicorn, 2 worker processes of 4 threads: the default deployment)
on a free port. One writer creates clients through /api/v1 with a valid token (each an audited write), back to
back: first alone for the given time, then for the same time while the flooders send GET /api/v1/clients with a
token that does not exist (each answered 401, or 429 once their address is over the refusal limit). The flood
comes from another address than the writer (X-Forwarded-For, with IPTRIAD_BEHIND_PROXY on): the limit is per
address. `--refusal-limit 0` turns the limit off, to compare. It reports the writes per second in both phases,
the refused requests sent (by status), and the audit events the flood left (issue 16, item 2; figures in
docs/security.md).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.concurrency import free_port, wait_until_serving  # noqa: E402
from bench.crash import configure, drop_postgres_database, post, prepare  # noqa: E402

BOGUS = "Bearer not-a-real-token-0123456789abcdef0123456789"
FLOOD_ADDRESS = "198.51.100.7"  # the flood's address as the proxy reports it; the writer is 127.0.0.1


def flood(port: int, stop: threading.Event, sent: dict[int, int], lock: threading.Lock) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    counts: dict[int, int] = {}
    headers = {"Authorization": BOGUS, "X-Forwarded-For": FLOOD_ADDRESS}
    while not stop.is_set():
        try:
            connection.request("GET", "/api/v1/clients", headers=headers)
            response = connection.getresponse()
            response.read()
            counts[response.status] = counts.get(response.status, 0) + 1
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.close()
    with lock:
        for status, count in counts.items():
            sent[status] = sent.get(status, 0) + count


def writes(port: int, token: str, label: str, seconds: float) -> int:
    done = 0
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        body = {"identifier": f"{label}-{done}", "given_name": "Flood", "family_name": "Test"}
        status, _ = post(port, token, "/clients", {**body, "date_of_birth": "1990-01-01"})
        if status != 201:
            raise RuntimeError(f"a legitimate write answered {status}")
        done += 1
    return done


def audit_counts() -> dict[str, int]:
    from django.db import connections
    from django.db.models import Count

    from iptriad.audit.models import AuditEvent

    counts = {row["action"]: row["n"] for row in AuditEvent.objects.values("action").annotate(n=Count("pk"))}
    connections.close_all()
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--flooders", type=int, default=10)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--refusal-limit", type=int, default=30, help="IPTRIAD_REFUSAL_LIMIT_PER_MINUTE; 0 is off")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="iptriad-audit-flood-"))
    database_name = configure(options.database, options.postgres, work)
    os.environ["IPTRIAD_LOG_LEVEL"] = "ERROR"
    os.environ["IPTRIAD_BEHIND_PROXY"] = "1"  # the flood's X-Forwarded-For is its address
    os.environ["IPTRIAD_REFUSAL_LIMIT_PER_MINUTE"] = str(options.refusal_limit)
    token = prepare()
    from django.db import connections

    connections.close_all()
    port = free_port()
    log = (work / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - this interpreter, our own command
        [sys.executable, "-m", "iptriad", "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    try:
        wait_until_serving(port, time.monotonic() + 60)
        writes(port, token, "warm", 2)
        quiet = writes(port, token, "quiet", options.seconds)
        before = audit_counts()
        stop = threading.Event()
        sent: dict[int, int] = {}
        lock = threading.Lock()
        flooders = [
            threading.Thread(target=flood, args=(port, stop, sent, lock), daemon=True) for _ in range(options.flooders)
        ]
        for thread in flooders:
            thread.start()
        time.sleep(1)  # the flood is running before the measured writes start
        flooded = writes(port, token, "flooded", options.seconds)
        stop.set()
        for thread in flooders:
            thread.join(30)
        after = audit_counts()
    finally:
        server.terminate()
        server.wait(30)
        log.close()
        connections.close_all()
        if database_name is not None:
            drop_postgres_database(options.postgres, database_name)
        shutil.rmtree(work, ignore_errors=True)
    denied = {
        action: after.get(action, 0) - before.get(action, 0)
        for action in ("access.denied", "access.denied_repeated")
        if after.get(action, 0) - before.get(action, 0)
    }
    figures = {
        "database": options.database,
        "seconds": options.seconds,
        "flooders": options.flooders,
        "writes_per_second_quiet": round(quiet / options.seconds, 1),
        "writes_per_second_flooded": round(flooded / options.seconds, 1),
        "slowdown": round(quiet / flooded, 2) if flooded else None,
        "refusal_limit": options.refusal_limit,
        "refused_requests_sent": sum(sent.values()),
        "refused_by_status": {str(status): count for status, count in sorted(sent.items())},
        "refused_per_second": round(sum(sent.values()) / (options.seconds + 1), 1),
        "audit_events_of_refusals": denied,
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
