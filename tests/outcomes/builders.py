"""Classified outcome rows written straight into the database, for tests of what reads them (report, pages, exports).

The refresh that writes them from the clinical records has its own tests; readers need only rows in a known state.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import asdict

from iptriad.accounts.models import Organisation, User
from iptriad.core.metrics import METRICS_VERSION, ContextFacts, classify
from iptriad.measures.models import TreatmentContext
from iptriad.outcomes.models import ContextOutcome
from tests.conftest import make_client

_numbers = itertools.count(1)


def outcome_row(
    organisation: Organisation,
    *,
    therapist: User | None = None,
    ended_on: dt.date | None = dt.date(2026, 10, 1),
    attended: int = 8,
    missed: int = 0,
    phq9: tuple[int | None, int | None] = (None, None),
    gad7: tuple[int | None, int | None] = (None, None),
    **breakdown: object,
) -> ContextOutcome:
    """One course's classified row: a new client and treatment context, the facts given, classified as the refresh
    would (two scores make a pair)."""
    number = next(_numbers)
    client = make_client(organisation, f"OUT-{number:05d}", therapist)
    context = TreatmentContext.objects.create(organisation=organisation, client=client, kind="course")
    facts = ContextFacts(
        ended=ended_on is not None,
        attended_sessions=attended,
        finished_min_sessions=2,
        completed_at_least=2,
        phq9_first=phq9[0],
        phq9_last=phq9[1] if phq9[1] is not None else phq9[0],
        phq9_paired=phq9[1] is not None,
        gad7_first=gad7[0],
        gad7_last=gad7[1] if gad7[1] is not None else gad7[0],
        gad7_paired=gad7[1] is not None,
    )
    values: dict[str, object] = {"adaptation": "standard", "sex": client.sex, "language": "en"}
    values.update(breakdown)
    return ContextOutcome.objects.create(
        organisation=organisation,
        treatment_context=context,
        client=client,
        kind="course",
        therapist=therapist,
        started_on=dt.date(2026, 6, 1),
        ended_on=ended_on,
        attended_sessions=attended,
        missed_sessions=missed,
        phq9_first=facts.phq9_first,
        phq9_last=facts.phq9_last,
        gad7_first=facts.gad7_first,
        gad7_last=facts.gad7_last,
        metrics_version=METRICS_VERSION,
        **asdict(classify(facts)),
        **values,
    )
