"""Benchmark: `iptriad audit verify` speed and memory on a long audit trail, and the cost of one append.

    .venv/bin/python bench/audit_verify.py --events 100000          # SQLite under var/bench/
    IPTRIAD_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/iptriad_bench \\
        .venv/bin/python bench/audit_verify.py --events 100000

The trail is generated in bulk (a correctly chained organisation "audit-bench", topped up to --events); the
appends measured afterwards go through the application's own append. Memory is the peak of Python allocations
(tracemalloc) during verification: it should stay flat as the trail grows, since rows are streamed in chunks.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("IPTRIAD_DATA_DIR", str(ROOT / "var" / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iptriad.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from iptriad.accounts.models import Organisation  # noqa: E402
from iptriad.audit.chain import (  # noqa: E402
    GENESIS_HASH,
    append_event,
    chain_hash,
    payload_of_event,
    verify_chains,
)
from iptriad.audit.models import AuditChainHead, AuditEvent  # noqa: E402

BATCH = 5_000
SLUG = "audit-bench"


def top_up(organisation: Organisation, events: int) -> None:
    """Extend the organisation's chain to `events` events, chained exactly as append_event would."""
    head, _ = AuditChainHead.objects.get_or_create(
        chain=organisation.pk, defaults={"organisation": organisation, "last_hash": GENESIS_HASH}
    )
    sequence, last_hash = head.last_sequence, head.last_hash
    while sequence < events:
        batch = []
        with transaction.atomic():
            for _ in range(min(BATCH, events - sequence)):
                sequence += 1
                event = AuditEvent(
                    organisation=organisation,
                    action="client.viewed",
                    object_type="client",
                    object_id=str(sequence % 977),
                    detail={"fields": ["given_name", "family_name"], "page": sequence % 40},
                    ip_address="192.0.2.10",
                    created_at=timezone.now(),
                    sequence=sequence,
                    previous_hash=last_hash,
                )
                event.event_hash = chain_hash(last_hash, payload_of_event(event))
                last_hash = event.event_hash
                batch.append(event)
            AuditEvent.objects.bulk_create(batch)
            AuditChainHead.objects.filter(chain=organisation.pk).update(last_sequence=sequence, last_hash=last_hash)


def timed_verify(organisation: Organisation) -> tuple[float, int, float]:
    started = time.perf_counter()
    report = verify_chains(organisation)
    seconds = time.perf_counter() - started
    assert report.ok, report.problems[:5]
    tracemalloc.start()
    verify_chains(organisation)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, report.events_checked, peak / 1024 / 1024


def _organisation(slug: str) -> Organisation:
    return Organisation.objects.get_or_create(slug=slug, defaults={"name": f"Bench {slug}"})[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--appends", type=int, default=1_000, help="appends timed through append_event")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    print(f"{connection.vendor}: verifying one organisation's chain\n")
    print("| events | verify s | events/s | peak MiB (tracemalloc) |")
    print("|---:|---:|---:|---:|")
    for size in sorted({max(args.events // 10, 1), args.events}):
        organisation = _organisation(f"{SLUG}-{size}")
        top_up(organisation, size)
        seconds, checked, peak = timed_verify(organisation)
        print(f"| {checked} | {seconds:.2f} | {checked / seconds:,.0f} | {peak:.1f} |")
    organisation = _organisation(f"{SLUG}-appends")
    started = time.perf_counter()
    for _ in range(args.appends):
        append_event(organisation=organisation, actor=None, action="bench.append", detail={"n": 1})
    per_append = (time.perf_counter() - started) * 1000 / args.appends
    print(f"\nappend_event, each its own transaction: {per_append:.2f} ms per event over {args.appends} appends")
    # Without waiting for the disk flush at each commit, what remains is the chain's own work (3 queries).
    # (Not one transaction for all: rewriting one head row hundreds of times in a transaction is not a real load.)
    no_flush = "SET synchronous_commit TO off" if connection.vendor == "postgresql" else "PRAGMA synchronous=OFF"
    with connection.cursor() as cursor:
        cursor.execute(no_flush)
    started = time.perf_counter()
    for _ in range(args.appends):
        append_event(organisation=organisation, actor=None, action="bench.append", detail={"n": 1})
    per_append = (time.perf_counter() - started) * 1000 / args.appends
    print(f"append_event, commits not flushed to disk: {per_append:.2f} ms per event over {args.appends} appends")


if __name__ == "__main__":
    main()
