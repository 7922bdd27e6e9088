"""Storing the outcome rows: one `ContextOutcome` per treatment context, brought up to date from the records.

`outcomes_refresh` is the one writer. It runs after the transaction that changed an input commits (iptriad.outcomes.
signals, after the flags' refresh of the same contexts), every night for rows that are missing or stale, and from
`iptriad outcomes refresh` for a backfill or after METRICS_VERSION changed. It is idempotent: running it twice
changes nothing but `computed_at`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import asdict, fields

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from iptriad.core.metrics import METRICS_VERSION, Classification, classify
from iptriad.measures.models import TreatmentContext
from iptriad.outcomes.facts import gather
from iptriad.outcomes.models import ContextOutcome

logger = logging.getLogger(__name__)

BATCH = 500  # contexts per transaction: bounded memory and lock time for a backfill of a whole organisation
STALE_VERSION = "stale"  # marks rows whose refresh failed, so the nightly run takes them again
FACT_FIELDS = (
    "organisation",
    "client",
    "kind",
    "therapist",
    "facilitator",
    "group",
    "site",
    "problem_area",
    "adaptation",
    "sex",
    "age_band",
    "language",
    "started_on",
    "ended_on",
    "attended_sessions",
    "missed_sessions",
    "phq9_first",
    "phq9_last",
    "gad7_first",
    "gad7_last",
)
# Every field of the core's Classification is a column of the row, of the same name.
CLASSIFICATION_FIELDS = tuple(field.name for field in fields(Classification))
UPDATED_FIELDS = (*FACT_FIELDS, *CLASSIFICATION_FIELDS, "metrics_version", "computed_at")


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start : start + BATCH]


def outcomes_refresh(context_ids: Iterable[int]) -> int:
    """Recompute and store the outcome rows of these treatment contexts; returns how many rows were written. A
    context that is not (or no longer) a course or a group place loses its row."""
    written = 0
    for batch in _batches(sorted(set(context_ids))):
        with transaction.atomic():
            written += _refresh_batch(batch)
    return written


def _refresh_batch(ids: list[int]) -> int:
    gathered = gather(ids)
    now = timezone.now()
    # Locked, so two refreshes of one context (two commits at once) write one after the other.
    existing = {
        row.treatment_context_id: row
        for row in ContextOutcome.objects.select_for_update().filter(treatment_context_id__in=ids)
    }
    gone = [row.pk for context_id, row in existing.items() if context_id not in gathered]
    if gone:
        ContextOutcome.objects.filter(pk__in=gone).delete()
    created: list[ContextOutcome] = []
    updated: list[ContextOutcome] = []
    for context_id, found in gathered.items():
        values = {
            **found.row_values(),
            **asdict(classify(found.facts)),
            "metrics_version": METRICS_VERSION,
            "computed_at": now,
        }
        row = existing.get(context_id)
        if row is None:
            created.append(ContextOutcome(treatment_context_id=context_id, **values))
            continue
        for name, value in values.items():
            setattr(row, name, value)
        updated.append(row)
    # Two refreshes of a context new to both (two commits at once) both insert: the later one's values win.
    ContextOutcome.objects.bulk_create(
        created, update_conflicts=True, unique_fields=["treatment_context"], update_fields=list(UPDATED_FIELDS)
    )
    if len(updated) == 1:
        # The usual refresh after one clinical write: a plain UPDATE compiles in a fraction of bulk_update's CASE.
        updated[0].save(update_fields=UPDATED_FIELDS)
    else:
        ContextOutcome.objects.bulk_update(updated, UPDATED_FIELDS)
    return len(created) + len(updated)


def outcomes_refresh_safely(context_ids: Iterable[int]) -> None:
    """What runs after a clinical write commits: a failure here must never reach the write (it has committed) nor
    be lost. It is logged without clinical content, and the rows are marked stale for the nightly run (a context
    with no row yet is picked up by it too)."""
    ids = sorted(set(context_ids))
    if not ids:
        return
    try:
        outcomes_refresh(ids)
    except Exception as error:
        logger.error("Refreshing the outcomes of %d treatment context(s) failed: %s", len(ids), type(error).__name__)
        try:
            ContextOutcome.objects.filter(treatment_context_id__in=ids).update(metrics_version=STALE_VERSION)
        except Exception as second:
            logger.error("Marking them stale failed too: %s", type(second).__name__)


def outcomes_contexts_of(*, organisation_id: int | None = None) -> list[int]:
    """Every treatment context (of one organisation, or all): the backfill's list."""
    contexts = TreatmentContext.objects.all()
    if organisation_id is not None:
        contexts = contexts.filter(Q(organisation_id=organisation_id))
    return list(contexts.order_by("pk").values_list("pk", flat=True))


def outcomes_stale(*, organisation_id: int | None = None) -> list[int]:
    """The contexts whose row was made by another METRICS_VERSION (or marked stale), and those with no row (a group
    member never placed has none and stays in this list: cheap, they are few)."""
    contexts = TreatmentContext.objects.filter(Q(outcome__isnull=True) | ~Q(outcome__metrics_version=METRICS_VERSION))
    if organisation_id is not None:
        contexts = contexts.filter(organisation_id=organisation_id)
    return list(contexts.order_by("pk").values_list("pk", flat=True))


def outcomes_recheck() -> int:
    """The nightly run: refresh the stale and missing rows."""
    return outcomes_refresh(outcomes_stale())
