"""Benchmark: server time and queries of the key client pages at a given caseload size.

    .venv/bin/python bench/client_pages.py --clients 10000            # SQLite under var/bench/
    IPTRIAD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iptriad_bench \\
        .venv/bin/python bench/client_pages.py --clients 100000

Requests go through Django's full middleware stack in-process (no network, no TLS), so the figures are the
server's own time per request. Figures are printed as a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("IPTRIAD_DATA_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iptriad.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django_otp import DEVICE_ID_SESSION_KEY  # type: ignore[import-untyped]  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]  # noqa: E402

from bench.scale_data import scale_organisation  # noqa: E402
from iptriad.accounts.models import User  # noqa: E402
from iptriad.clients.models import Client  # noqa: E402


def measure(http: HttpClient, url: str, repeat: int) -> tuple[float, float, float, int]:
    http.get(url)  # warm caches and the connection
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = http.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        http.get(url)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    p99 = timings[int(0.99 * (len(timings) - 1))]
    return statistics.median(timings), p95, p99, len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    organisation = scale_organisation("bench", args.clients, password="bench-password-not-secret")
    generated = time.perf_counter() - started
    count = Client.objects.filter(organisation=organisation).count()
    engine = connection.vendor
    print(f"{engine}: {count} clients in the organisation (data ready in {generated:.1f}s)\n")
    rows = []
    for who in ("supervisor@bench.bench.example", "therapist7@bench.bench.example"):
        http = HttpClient()
        user = User.objects.get(email=who)
        http.force_login(user)
        # Staff sessions have passed MFA (the organisation requires it): measure pages with that check in them.
        device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "bench"})
        session = http.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        client = Client.objects.filter(organisation=organisation).order_by("pk")[count // 2]
        pages = {
            "home": reverse("home"),
            "client list": reverse("client-list"),
            "client list, page 20": reverse("client-list") + "?page=20",
            "client search (name fragment)": reverse("client-list") + "?q=benchton0123",
            "client search (identifier)": reverse("client-list") + f"?q={client.identifier}",
            "client record": reverse("client-detail", args=[client.pk]),
        }
        if who.startswith("therapist"):
            pages = {k: v for k, v in pages.items() if k != "client record"}
        for name, url in pages.items():
            median, p95, p99, queries = measure(http, url, args.repeat)
            rows.append((who.split("@")[0].rstrip("0123456789"), name, median, p95, p99, queries))
            reset_queries()
    print("| who | page | median ms | p95 ms | p99 ms | queries |")
    print("|---|---|---:|---:|---:|---:|")
    for who, name, median, p95, p99, queries in rows:
        print(f"| {who} | {name} | {median:.1f} | {p95:.1f} | {p99:.1f} | {queries} |")


if __name__ == "__main__":
    main()
