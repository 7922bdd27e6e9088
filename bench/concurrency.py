"""SQLite write concurrency: N writers submitting PHQ-9s at once through the production server, counting errors.

    .venv/bin/python bench/concurrency.py --writers 20 --seconds 30

A fresh SQLite database in a temporary directory, served by `iptriad serve` (gunicorn, 2 worker processes of
4 threads: the default deployment) on a free port. Each writer thread posts PHQ-9 administrations (one row,
nine answers, a risk alert and audit events per transaction) for its own client through /api/v1 with an API
token, back to back, for the given time. It reports the answers by status, the latency percentiles, and how
many times "database is locked" appears in the server's log; the target (docs/reliability.md) is 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.crash import PHQ9_WITH_RISK, configure, post, prepare  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_serving(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="iptriad-concurrency-"))
    configure("sqlite", "", work)
    os.environ["IPTRIAD_LOG_LEVEL"] = "WARNING"
    token = prepare()
    from django.db import connections

    connections.close_all()
    port = free_port()
    log = (work / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - this interpreter, our own command
        [sys.executable, "-m", "iptriad", "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT
    )
    latencies: list[float] = []
    statuses: Counter[int | str] = Counter()
    lock = threading.Lock()
    try:
        wait_until_serving(port, time.monotonic() + 60)
        client_ids = []
        for number in range(options.writers):
            body = {"identifier": f"W-{number}", "given_name": "Load", "family_name": "Test"}
            status, created = post(port, token, "/clients", {**body, "date_of_birth": "1990-01-01"})
            if status != 201 or created is None:
                raise RuntimeError(f"creating a client answered {status}")
            client_ids.append(created["id"])
        stop_at = time.monotonic() + options.seconds

        def write(client_id: int) -> None:
            while time.monotonic() < stop_at:
                started = time.perf_counter()
                status: int | str
                try:
                    status, _ = post(
                        port,
                        token,
                        f"/clients/{client_id}/administrations",
                        {"instrument": "phq9", "answers": PHQ9_WITH_RISK},
                    )
                except OSError as error:
                    status = type(error).__name__
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    statuses[status] += 1
                    if status == 201:
                        latencies.append(elapsed)

        threads = [threading.Thread(target=write, args=(client_id,)) for client_id in client_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    locked = (work / "server.log").read_text().count("database is locked")
    shutil.rmtree(work, ignore_errors=True)
    latencies.sort()
    total = sum(statuses.values())

    def percentile(fraction: float) -> float:
        return latencies[min(len(latencies) - 1, int(fraction * len(latencies)))] if latencies else float("nan")

    figures = {
        "writers": options.writers,
        "seconds": options.seconds,
        "requests": total,
        "per_second": round(total / options.seconds, 1),
        "statuses": {str(key): value for key, value in statuses.items()},
        "database_is_locked_in_log": locked,
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(percentile(0.95), 1),
        "p99_ms": round(percentile(0.99), 1),
        "max_ms": round(latencies[-1], 1) if latencies else None,
    }
    print(json.dumps(figures, indent=2))
    return 0 if locked == 0 and set(statuses) == {201} else 1


if __name__ == "__main__":
    raise SystemExit(main())
