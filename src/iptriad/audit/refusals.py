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


def refusal_record(*, refusal: Refusal, detail: dict[str, Any], now: dt.datetime | None = None) -> int:
    """Count one refused request; append it in full when it is its source's first in this window.

    Returns the count in the window so far. Runs in the caller's transaction; closed windows are summarised on
    the way (at most SUMMARIES_PER_PASS).
    """
    now = now or timezone.now()
    start = window_start(now)
    with transaction.atomic(savepoint=False):
        count = _count(refusal, start)
        if count == 1:
            append_event(
                organisation=refusal.organisation,
                actor=refusal.user,
                action=AuditAction.ACCESS_DENIED,
                detail=detail,
                ip_address=refusal.ip_address,
            )
        refusals_summarise(now=now, limit=SUMMARIES_PER_PASS)
    return count


def _count(refusal: Refusal, start: dt.datetime) -> int:
    """Add one to the source's window, creating it: one portable upsert (as the chain head's), no chain lock."""
    table = connection.ops.quote_name(RefusalWindow._meta.db_table)  # the model's own table, quoted
    sql = (
        f"INSERT INTO {table} AS refusal "  # noqa: S608  # nosec B608  # Django's table name, quoted
        "(source, window_start, organisation_id, actor_id, ip_address, count) "
        "VALUES (%s, %s, %s, %s, %s, 1) "
        "ON CONFLICT (source, window_start) DO UPDATE SET count = refusal.count + 1 "
        "RETURNING count"
    )
    field = RefusalWindow._meta.get_field("window_start")
    params = [
        refusal.source,
        field.get_db_prep_value(start, connection),
        refusal.organisation.pk if refusal.organisation is not None else None,
        refusal.user.pk if refusal.user is not None else None,
        normalised_ip(refusal.ip_address),
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
