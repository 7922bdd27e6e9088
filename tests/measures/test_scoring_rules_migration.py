"""Totals stored before the scoring rules of issue 10 lose their validity where the rules now refuse them."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from iptriad.measures.models import Administration
from iptriad.measures.services import administration_record

pytestmark = pytest.mark.django_db

MIGRATION = "0010_score_basis_lifetime_history_and_risk_item_never_prorated"
migration = importlib.import_module(f"iptriad.measures.migrations.{MIGRATION}")


def stored_as_before(personas, code: str, answers: list[int | None], total: int, missing: list[int]) -> Administration:
    """An administration as an older version stored it: a prorated, valid total."""
    administration = administration_record(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code=code, answers=answers
    )
    Administration.objects.filter(pk=administration.pk).update(
        valid=True, total=Decimal(total), band="severe", prorated=True, missing_items=missing, invalid_reasons=[]
    )
    return administration


def test_prorated_totals_over_a_blank_risk_item_or_two_gad7_gaps_are_no_longer_valid(personas):
    phq9 = stored_as_before(personas, "phq9", [3] * 8 + [None], 27, [9])
    gad7 = stored_as_before(personas, "gad7", [3, 3, 3, 3, 3, None, None], 21, [6, 7])
    kept = stored_as_before(personas, "phq9", [None] + [1] * 8, 9, [1])

    migration.unprorate_what_the_rules_now_refuse(apps, None)

    phq9.refresh_from_db()
    assert (phq9.valid, phq9.total, phq9.band, phq9.prorated) == (False, None, "", False)
    assert phq9.invalid_reasons == ["risk item 9 not answered: a risk item is never filled in by prorating"]
    assert phq9.answers.count() == 9  # the answers stay
    gad7.refresh_from_db()
    assert (gad7.valid, gad7.total, gad7.invalid_reasons) == (False, None, ["2 items unanswered; at most 1 allowed"])
    kept.refresh_from_db()
    assert (kept.valid, kept.total, kept.prorated) == (True, Decimal(9), True)
