"""Refused requests in the audit trail, bounded: the first per source and minute in full, the rest as a count.

Writing one chained event per refusal let anyone flood the trail (issue 16: 1,000 events in 2.8 s from 10
threads with a bogus bearer token, slowing legitimate writes six times). Now each refusal raises a counter
(`RefusalWindow`, one row per source and minute, shared by every app server through the database) with one
upsert that takes no chain lock. The first refusal of a window is appended to the chain at once, with its
method, status and path; when the window has closed, one more event (`access.denied_repeated`) records how many
refusals the source had in it. The summary is a new event at the end of the chain, never an edit of the first:
the chain stays append-only. So a source costs at most two events a minute, whatever it sends.

Closed windows are summarised by the next refused request (of any source), by the audit trail page, and by
`iptriad audit summarise` (run before the nightly `iptriad audit verify`). Decision 0033.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Any, Final

from django.db import connection, transaction
from django.utils import timezone

from iptriad.audit.chain import append_event, normalised_ip
from iptriad.audit.models import AuditAction, RefusalWindow
from iptriad.audit.parties import SavedRow

WINDOW: Final = dt.timedelta(minutes=1)
# A window is summarised a little after it ends, so an app server whose clock runs slightly behind cannot count
# into a window another server has already summarised.
GRACE: Final = dt.timedelta(seconds=5)
# Summaries written per refused request at most: the request that finds closed windows does not pay for them all.
SUMMARIES_PER_PASS: Final = 20
# How often a process adds the refusals it has counted to the shared row of a source's window.
FLUSH_EVERY: Final = dt.timedelta(seconds=1)


@dataclass(frozen=True)
class Refusal:
    """Who was refused: a member (in their organisation) or, for anyone else, the address the request came from."""

    user: SavedRow | None
    organisation: SavedRow | None
    ip_address: str | None

    @property
    def source(self) -> str:
        if self.user is not None:
            organisation = self.organisation.pk if self.organisation is not None else "-"
            return f"user:{self.user.pk}:{organisation}"
        return f"ip:{normalised_ip(self.ip_address) or '-'}"


@dataclass(frozen=True)
class _Saved:
    """A row named by its key alone: the summary needs no more of the organisation or the member."""

    pk: int


def window_start(moment: dt.datetime) -> dt.datetime:
    seconds = int(WINDOW.total_seconds())
    epoch = int(moment.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


@dataclass
class _Pending:
    """Refusals this process has counted for one source and window but not yet added to the shared row."""

    refusal: Refusal
    count: int
    written_at: dt.datetime
    # The source's total in the shared row when this process last wrote to it: with `count`, what the rate
    # limit reads (iptriad.accounts.refusal_limit) without a query.
    shared: int = 0


# Per process: a flood costs a database write per source about once a second, not once per request.
_pending: dict[tuple[str, dt.datetime], _Pending] = {}
_pending_lock = threading.Lock()


def refusal_record(*, refusal: Refusal, detail: dict[str, Any], now: dt.datetime | None = None) -> None:
    """Count one refused request; append it in full when it is its source's first in this window.

    The count is kept in this process and added to the source's shared row at most every FLUSH_EVERY (and when
    the window changes), so most refusals of a flood touch no database at all. Runs in the caller's transaction
    when it writes; closed windows are summarised on the way (at most SUMMARIES_PER_PASS).
    """
    now = now or timezone.now()
    key = (refusal.source, window_start(now))
    with _pending_lock:
        pending = _pending.get(key)
        if pending is not None and abs(now - pending.written_at) < FLUSH_EVERY:
            pending.count += 1
            return
        _pending.pop(key, None)
        due = _take_due(now)
        first_here = pending is None
        _pending[key] = _Pending(refusal=refusal, count=0, written_at=now)
    due.append((key, refusal, 1 + (pending.count if pending is not None else 0)))
    totals: dict[tuple[str, dt.datetime], int] = {}
    with transaction.atomic(savepoint=False):
        for (source, start), owner, added in due:
            total = totals[(source, start)] = _count(owner, start, added)
            if first_here and (source, start) == key and total == added:
                # This process made the window's row: no server has recorded this source in this window yet.
                append_event(
                    organisation=refusal.organisation,
                    actor=refusal.user,
                    action=AuditAction.ACCESS_DENIED,
                    detail=detail,
                    ip_address=refusal.ip_address,
                )
        refusals_summarise(now=now, limit=SUMMARIES_PER_PASS)
    with _pending_lock:
        for written, total in totals.items():
            if (held := _pending.get(written)) is not None:
                held.shared = max(held.shared, total)


def refusals_seen(*, source: str, now: dt.datetime | None = None) -> tuple[int, dt.datetime]:
    """How many refusals a source has had in the current window, as this process knows, and when the window ends.

    No query: the shared total this process last read back (every app server's refusals, as of at most
    FLUSH_EVERY ago) plus what it has counted since. A process that has not refused the source this minute
    knows nothing yet; its first refusal of it writes at once and so learns the total.
    """
    now = now or timezone.now()
    start = window_start(now)
    with _pending_lock:
        pending = _pending.get((source, start))
        seen = pending.shared + pending.count if pending is not None else 0
    return seen, start + WINDOW


def _take_due(now: dt.datetime) -> list[tuple[tuple[str, dt.datetime], Refusal, int]]:
    """Counts of other windows waiting in this process, taken out to be written (called under the lock)."""
    current = window_start(now)
    due = []
    for key, pending in list(_pending.items()):
        if key[1] != current or abs(now - pending.written_at) >= FLUSH_EVERY:
            if pending.count:
                due.append((key, pending.refusal, pending.count))
            if key[1] != current:
                del _pending[key]
            else:
                pending.count, pending.written_at = 0, now
    return due


def refusals_flush(now: dt.datetime | None = None) -> None:
    """Write every count this process still holds (before summarising, and at a test's end)."""
    now = now or timezone.now()
    with _pending_lock:
        due = [(key, pending.refusal, pending.count) for key, pending in _pending.items() if pending.count]
        _pending.clear()
    with transaction.atomic(savepoint=False):
        for (_source, start), refusal, added in due:
            _count(refusal, start, added)


def forget_pending() -> None:
    """Drop the counts this process holds unwritten (the tests' databases are rolled back under them)."""
    with _pending_lock:
        _pending.clear()


def _count(refusal: Refusal, start: dt.datetime, added: int) -> int:
    """Add to the source's window, creating it: one portable upsert (as the chain head's), no chain lock."""
    table = connection.ops.quote_name(RefusalWindow._meta.db_table)  # the model's own table, quoted
    sql = (
        f"INSERT INTO {table} AS refusal "  # noqa: S608  # nosec B608  # Django's table name, quoted
        "(source, window_start, organisation_id, actor_id, ip_address, count) "
        "VALUES (%s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (source, window_start) DO UPDATE SET count = refusal.count + excluded.count "
        "RETURNING count"
    )
    field = RefusalWindow._meta.get_field("window_start")
    params = [
        refusal.source,
        field.get_db_prep_value(start, connection),
        refusal.organisation.pk if refusal.organisation is not None else None,
        refusal.user.pk if refusal.user is not None else None,
        normalised_ip(refusal.ip_address),
        added,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (count,) = cursor.fetchone()
    return int(count)


def refusals_summarise(*, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Append a summary event for each closed window with more than one refusal, and drop the closed windows.

    Each window is taken by exactly one writer: rows are locked (skipping those another server holds, on
    PostgreSQL) and deleted in the transaction that appends their summary. Returns the summaries written.
    """
    now = now or timezone.now()
    written = 0
    if limit is None:
        refusals_flush(now)  # a full pass first writes what this process still counts
    with transaction.atomic():
        # A window [start, start + WINDOW) is closed once start + WINDOW + GRACE has passed.
        windows = (
            RefusalWindow.objects.filter(window_start__lte=now - WINDOW - GRACE)
            .select_for_update(skip_locked=True)
            .order_by("window_start", "pk")
        )
        taken = list(windows[:limit] if limit is not None else windows)
        if not taken:
            return 0
        for window in taken:
            if window.count > 1:
                append_event(
                    organisation=_Saved(window.organisation_id) if window.organisation_id is not None else None,
                    actor=_Saved(window.actor_id) if window.actor_id is not None else None,
                    action=AuditAction.ACCESS_DENIED_REPEATED,
                    detail={
                        "count": window.count,
                        "window_start": window.window_start.astimezone(dt.UTC).isoformat(),
                        "window_seconds": int(WINDOW.total_seconds()),
                    },
                    ip_address=window.ip_address,
                )
                written += 1
        RefusalWindow.objects.filter(pk__in=[window.pk for window in taken]).delete()
    return written
