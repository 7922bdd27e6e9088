"""Storing the not-on-track flags: one `ContextFlags` row per treatment context, brought up to date from its facts.

`flags_refresh` is the one writer. It runs after the transaction that changed an input commits (iptriad.flags.
signals), every day for rows whose `recheck_on` has come (iptriad.flags.tasks), and from `iptriad flags refresh` for
a backfill (docs/decisions/0037-not-on-track-flags.md). It is idempotent: running it twice changes nothing but
`computed_at`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from iptriad.core.flags import RULES_VERSION, Flag, FlagCode, evaluate, recheck_on, worst
from iptriad.flags.facts import ContextFacts, gather
from iptriad.flags.models import ContextFlags
from iptriad.measures.models import TreatmentContext

logger = logging.getLogger(__name__)

BATCH = 500  # contexts per transaction: bounded memory and lock time for a backfill of a whole organisation
# A context no longer running (a closed course, a member who left) asks nothing more of its progress; an open alert
# still asks to be acted on, so those flags stay.
STILL_APPLY_WHEN_ENDED = frozenset({FlagCode.SELF_HARM, FlagCode.ALERT_UNACKNOWLEDGED})
UPDATED_FIELDS = (
    "organisation",
    "client",
    "kind",
    "clinician",
    "active",
    "flags",
    "flag_count",
    "worst",
    "rules_version",
    "last_review_on",
    "changed_at",
    "computed_at",
    "recheck_on",
)


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def flags_refresh(context_ids: Iterable[int], *, today: dt.date | None = None) -> int:
    """Recompute and store the flags of these treatment contexts; returns how many rows were written. Each flag keeps
    its `since` while it keeps firing; `changed_at` moves only when the set of codes changes."""
    today = today or timezone.localdate()
    written = 0
    for batch in _batches(sorted(set(context_ids))):
        with transaction.atomic():
            written += _refresh_batch(batch, today)
    return written


def _refresh_batch(ids: list[int], today: dt.date) -> int:
    gathered = gather(ids, today=today)
    now = timezone.now()
    # Locked, so two refreshes of one context (two commits at once) write one after the other, not over each other.
    existing = {
        row.treatment_context_id: row
        for row in ContextFlags.objects.select_for_update().filter(treatment_context_id__in=list(gathered))
    }
    created: list[ContextFlags] = []
    updated: list[ContextFlags] = []
    for context_id, found in gathered.items():
        row = existing.get(context_id)
        fired = _fired(found, today)
        before = {entry["code"]: entry for entry in row.flags} if row is not None else {}
        stored = [
            {
                "code": flag.code.value,
                "why": flag.why,
                "since": before[flag.code.value]["since"] if flag.code.value in before else today.isoformat(),
            }
            for flag in fired
        ]
        changed = row is None or set(before) != {entry["code"] for entry in stored}
        values: dict[str, Any] = {
            "organisation_id": found.organisation_id,
            "client_id": found.client_id,
            "kind": found.kind,
            "clinician_id": found.clinician_id,
            "active": found.active,
            "flags": stored,
            "flag_count": len(stored),
            "worst": worst(fired),
            "rules_version": RULES_VERSION,
            "last_review_on": found.facts.last_review_on,
            "computed_at": now,
            # An ended context changes only by a write (an alert closed), never with time alone.
            "recheck_on": recheck_on(found.facts, today=today) if found.active else None,
        }
        if row is None:
            created.append(ContextFlags(treatment_context_id=context_id, changed_at=now, **values))
            continue
        for name, value in values.items():
            setattr(row, name, value)
        if changed:
            row.changed_at = now
        updated.append(row)
    # Two refreshes of a context new to both (two commits at once) both insert: the later one's values win.
    ContextFlags.objects.bulk_create(
        created,
        update_conflicts=True,
        unique_fields=["treatment_context"],
        update_fields=[name for name in UPDATED_FIELDS if name != "changed_at"],
    )
    if len(updated) == 1:
        # The usual refresh after one clinical write: a plain UPDATE compiles in a fraction of bulk_update's CASE.
        updated[0].save(update_fields=UPDATED_FIELDS)
    else:
        ContextFlags.objects.bulk_update(updated, UPDATED_FIELDS)
    return len(created) + len(updated)


def _fired(found: ContextFacts, today: dt.date) -> list[Flag]:
    fired = evaluate(found.facts, today=today)
    if found.active:
        return fired
    return [flag for flag in fired if flag.code in STILL_APPLY_WHEN_ENDED]


def flags_refresh_safely(context_ids: Iterable[int]) -> None:
    """What runs after a clinical write commits: a failure here must never reach the write (it has committed) nor
    be lost. It is logged without clinical content, and the rows are marked for the daily recheck; a context with no
    row yet is picked up by the daily run too (`flags_due_for_recheck`)."""
    ids = sorted(set(context_ids))
    if not ids:
        return
    try:
        flags_refresh(ids)
    except Exception as error:
        logger.error("Refreshing the flags of %d treatment context(s) failed: %s", len(ids), type(error).__name__)
        try:
            ContextFlags.objects.filter(treatment_context_id__in=ids).update(recheck_on=timezone.localdate())
        except Exception as second:
            logger.error("Marking them for recheck failed too: %s", type(second).__name__)


def flags_due_for_recheck(*, today: dt.date | None = None) -> list[int]:
    """The contexts whose flags may have changed with time alone (recheck_on has come), and those with no row yet."""
    today = today or timezone.localdate()
    due = ContextFlags.objects.filter(recheck_on__lte=today).values_list("treatment_context_id", flat=True)
    missing = TreatmentContext.objects.filter(flags__isnull=True).values_list("pk", flat=True)
    return sorted({*due, *missing})


def flags_recheck(*, today: dt.date | None = None) -> int:
    """The daily run: refresh every context due for a recheck."""
    today = today or timezone.localdate()
    return flags_refresh(flags_due_for_recheck(today=today), today=today)


def flags_contexts_of(*, organisation_id: int | None = None) -> list[int]:
    """Every treatment context (of one organisation, or all): the backfill's list."""
    contexts = TreatmentContext.objects.all()
    if organisation_id is not None:
        contexts = contexts.filter(Q(organisation_id=organisation_id))
    return list(contexts.order_by("pk").values_list("pk", flat=True))
