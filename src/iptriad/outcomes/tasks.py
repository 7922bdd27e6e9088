"""The outcome rows' background work: a whole organisation refreshed after its settings change, and the nightly run
that recomputes rows missing, marked stale by a failed refresh, or made by another METRICS_VERSION (an upgrade)."""

from __future__ import annotations

from typing import Any

from huey import crontab

from iptriad.outcomes.services import outcomes_contexts_of, outcomes_recheck, outcomes_refresh
from iptriad.tasks import huey


def _refresh_organisation(organisation_id: int) -> None:
    outcomes_refresh(outcomes_contexts_of(organisation_id=organisation_id))


def _recheck() -> None:
    outcomes_recheck()


# Huey is untyped: the task wrappers are Any. After the flags' daily run (02:10 UTC).
outcomes_refresh_organisation_task: Any = huey.task(name="outcomes.refresh_organisation")(_refresh_organisation)
outcomes_recheck_task: Any = huey.periodic_task(crontab(minute="40", hour="2"), name="outcomes.recheck")(_recheck)
