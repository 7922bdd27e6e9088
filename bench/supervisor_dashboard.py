"""Benchmark: the supervision dashboard and the supervisor's home at tier M (100,000 clients) on PostgreSQL, served
as deployed (`iptriad serve`: gunicorn, by default 3 workers of 2 threads), under `wrk -t2 -c8 -d10s` with a signed-in
session's cookie; the floor (a facilitator's home, no client data) in the same run.

    .venv/bin/python bench/supervisor_dashboard.py                       # builds iptriad_bench_m once, then measures
    .venv/bin/python bench/supervisor_dashboard.py --postgres postgresql://postgres@127.0.0.1:5432 --duration 10

The database `iptriad_bench_m` is kept between runs (the data takes minutes to build; `--rebuild` starts afresh).
Needs `wrk` (Debian: `apt-get install -y wrk`). Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.concurrency import free_port, wait_until_serving  # noqa: E402  (the same server start)
from bench.pages import signed_in  # noqa: E402  (the same signed-in session)

DATABASE = "iptriad_bench_m"
CLIENTS = 100_000
PASSWORD = "bench-password-not-secret"  # noqa: S105 (synthetic accounts on a local benchmark database)


def configure(postgres: str, rebuild: bool) -> None:
    import psycopg

    with psycopg.connect(f"{postgres.rstrip('/')}/postgres", autocommit=True) as admin:
        if rebuild:
            admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ["IPTRIAD_DATABASE_URL"] = f"{postgres.rstrip('/')}/{DATABASE}"
    os.environ.setdefault("IPTRIAD_DATA_DIR", str(ROOT / "var" / "bench-m"))
    os.environ["IPTRIAD_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "iptriad.settings"


def build() -> dict[str, str]:
    """Tier M and its flags, then a signed-in session cookie for each persona measured."""
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    from bench.scale_data import scale_organisation
    from bench.scale_flags import scale_flags
    from iptriad.accounts.models import User

    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    organisation = scale_organisation("bench", CLIENTS, password=PASSWORD)
    rows = scale_flags(organisation, password=PASSWORD)
    print(f"tier M ready in {time.perf_counter() - started:.0f}s: {CLIENTS} clients, {rows} flags rows\n")
    # Staff sessions have passed MFA: measure the pages with that check in them (bench.pages.signed_in).
    cookies = {
        email.split("@")[0]: signed_in(User.objects.get(email=email))
        for email in ("supervisor@bench.bench.example", "facilitator0@bench.bench.example")
    }
    connections.close_all()
    return cookies


def in_process(pages: list[tuple[str, str, str]], cookies: dict[str, str], repeat: int = 30) -> dict[str, float]:
    """Each page's median server time, one request at a time through Django's whole stack in this process (no
    network, no concurrency): less at the mercy of other load on the machine than wrk's throughput."""
    import statistics

    from django.db import connections
    from django.test import Client as HttpClient

    medians = {}
    for who, _name, path in pages:
        http = HttpClient(HTTP_HOST="127.0.0.1")
        key, value = cookies[who].split("=", 1)
        http.cookies[key] = value
        assert http.get(path).status_code == 200
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            http.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        medians[f"{who}:{path}"] = statistics.median(timings)
    connections.close_all()
    return medians


def check(port: int, path: str, cookie: str) -> None:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our own local server)
        assert response.status == 200, (path, response.status)
        assert response.url.endswith(path), f"{path} answered from {response.url} (not signed in?)"


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if found is None:
        raise ValueError(f"a latency wrk wrote as {text!r}")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def hammer(port: int, path: str, cookie: str, duration: int) -> tuple[float, float, float]:
    """wrk's median and 99th percentile latency (ms) and requests/s; any non-2xx answer fails the run."""
    wrk = shutil.which("wrk")
    assert wrk is not None
    output = subprocess.run(  # noqa: S603 - wrk, with our own arguments
        [wrk, "-t2", "-c8", f"-d{duration}s", "--latency", "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in output or "Latency Distribution" not in output:
        raise RuntimeError(f"{path}: {output}")
    # The latency distribution's own lines ("    50%   12.34ms"), not the thread stats' "+/- Stdev" percentages.
    p50 = re.search(r"^ +50% +(\S+) *$", output, re.MULTILINE)
    p99 = re.search(r"^ +99% +(\S+) *$", output, re.MULTILINE)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if p50 is None or p99 is None or rate is None:
        raise RuntimeError(f"{path}: wrk said\n{output}")
    return _ms(p50.group(1)), _ms(p99.group(1)), float(rate.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rebuild", action="store_true", help="drop iptriad_bench_m and build tier M again")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: install it (Debian: apt-get install -y wrk) and run again.", file=sys.stderr)
        return 2
    configure(args.postgres, args.rebuild)
    cookies = build()
    pages = [
        ("supervisor", "supervision dashboard", "/supervision/dashboard/"),
        ("supervisor", "home", "/"),
        ("facilitator0", "home (the floor: no client data)", "/"),
    ]
    medians = in_process(pages, cookies)
    port = free_port()
    log = (Path(os.environ["IPTRIAD_DATA_DIR"]) / "serve.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - this interpreter, our own command
        [sys.executable, "-m", "iptriad", "serve", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    rows = []
    try:
        wait_until_serving(port, time.monotonic() + 60)
        for who, name, path in pages:
            check(port, path, cookies[who])
            hammer(port, path, cookies[who], 2)  # warm every thread's connection and templates
            rows.append((who.rstrip("0123456789"), name, *hammer(port, path, cookies[who], args.duration)))
    finally:
        server.terminate()
        server.wait(30)
    print(f"`wrk -t2 -c8 -d{args.duration}s`, PostgreSQL, {CLIENTS:,} clients\n")
    print("| who | page | in-process median ms | p50 ms | p99 ms | requests/s |")
    print("|---|---|---:|---:|---:|---:|")
    for (who_key, _, path), (who, name, p50, p99, rate) in zip(pages, rows, strict=True):
        median = medians[f"{who_key}:{path}"]
        print(f"| {who} | {name} | {median:.1f} | {p50:.1f} | {p99:.1f} | {rate:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
