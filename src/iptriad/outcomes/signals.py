"""When the outcome rows are refreshed: after the transaction that changed one of their inputs commits.

Most inputs are the flags' too (administrations, sessions, attendance, courses, members, groups): the flags note which
contexts a transaction touched and, once they are refreshed on commit, send `contexts_changed`; the outcome rows of
the same contexts are refreshed then. The inputs only outcomes read are watched here, the same way (noted during the
transaction, refreshed once on commit, never undoing the write): the client (sex, date of birth, language), a course's
problem areas, and the organisation's `OutcomeSettings` (every row of the organisation: done by the worker).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from iptriad.clients.models import Client
from iptriad.courses.models import Course, ProblemAreaChoice
from iptriad.flags.signals import contexts_changed
from iptriad.measures.models import TreatmentContext
from iptriad.outcomes.models import OutcomeSettings
from iptriad.outcomes.services import outcomes_refresh_safely
from iptriad.web.per_transaction import PerTransaction

logger = logging.getLogger(__name__)


@dataclass
class Touched:
    """What one transaction touched of the outcome-only inputs, resolved to contexts at commit."""

    clients: set[int] = field(default_factory=set)
    courses: set[int] = field(default_factory=set)
    organisations: set[int] = field(default_factory=set)

    def context_ids(self) -> set[int]:
        ids: set[int] = set()
        if self.clients:
            ids |= set(TreatmentContext.objects.filter(client_id__in=self.clients).values_list("pk", flat=True))
        if self.courses:
            ids |= set(Course.objects.filter(pk__in=self.courses).values_list("treatment_context_id", flat=True))
        return ids


_ATTRIBUTE = "_iptriad_outcomes_touched"


def _refresh(touched: Touched) -> None:
    try:
        ids = touched.context_ids()
    except Exception as error:  # the write has committed: log it, the nightly run catches up only on missing rows
        logger.error("Finding the contexts whose outcomes changed failed: %s", type(error).__name__)
        return
    outcomes_refresh_safely(ids)
    for organisation_id in sorted(touched.organisations):
        _enqueue_organisation(organisation_id)


# As the flags: one refresh per transaction, after it commits, of what its writes touched.
_note = PerTransaction(_ATTRIBUTE, Touched, _refresh).note


def _enqueue_organisation(organisation_id: int) -> None:
    """Every row of the organisation, by the worker: a settings change may reclassify many thousands."""
    from iptriad.outcomes.tasks import outcomes_refresh_organisation_task

    try:
        outcomes_refresh_organisation_task(organisation_id)
    except Exception as error:
        logger.error("Could not enqueue the outcomes refresh of an organisation: %s", type(error).__name__)


def _contexts_changed(sender: Any, context_ids: set[int], **kwargs: Any) -> None:
    outcomes_refresh_safely(context_ids)


def _client(sender: type[Model], instance: Client, **kwargs: Any) -> None:
    _note(lambda t: t.clients.add(instance.pk))


def _problem_area(sender: type[Model], instance: ProblemAreaChoice, **kwargs: Any) -> None:
    _note(lambda t: t.courses.add(instance.course_id))


def _settings(sender: type[Model], instance: OutcomeSettings, **kwargs: Any) -> None:
    _note(lambda t: t.organisations.add(instance.organisation_id))


RECEIVERS: tuple[tuple[type[Model], Any], ...] = (
    (Client, _client),
    (ProblemAreaChoice, _problem_area),
    (OutcomeSettings, _settings),
)


def connect() -> None:
    """Called from OutcomesConfig.ready(); the dispatch uids make a second call harmless."""
    contexts_changed.connect(_contexts_changed, dispatch_uid="iptriad_outcomes_contexts_changed", weak=False)
    for model, receiver in RECEIVERS:
        uid = f"iptriad_outcomes_{model._meta.label_lower}"
        post_save.connect(receiver, sender=model, dispatch_uid=f"{uid}_saved", weak=False)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}_deleted", weak=False)
