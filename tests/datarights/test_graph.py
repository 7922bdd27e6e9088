"""The guard: every table that holds a client's data is exported and erased, found from the models themselves."""

from __future__ import annotations

import re

from django.apps import apps
from django.db.models import Model

from iptriad.accounts.models import Organisation, User
from iptriad.clients.models import Client
from iptriad.datarights.export import EXCLUDED_FIELDS
from iptriad.datarights.graph import client_record_types, erasure_order

# Field names that suggest a credential or a secret: each one on a record type must be decided on.
SECRET_LOOKING = re.compile(r"hash|token|secret|password|key|salt|otp", re.IGNORECASE)
# Fields of record types whose names look secret but are not, each with why.
NOT_SECRET: dict[str, frozenset[str]] = {
    # The sender's name for a message ("link-7-reminder-1"), so a second queue call finds the first.
    "notifications.Message": frozenset({"dedupe_key"}),
}


def _reaches_client(model: type[Model], seen: frozenset[type[Model]] = frozenset()) -> bool:
    """Following foreign keys forwards (the opposite direction of the code under test) arrives at Client."""
    if model is Client:
        return True
    for field in model._meta.concrete_fields:
        target = field.related_model
        if not isinstance(target, type) or target in seen or target in (User, Organisation):
            continue
        if _reaches_client(target, seen | {model}):
            return True
    return False


def test_every_model_with_a_path_to_the_client_is_a_record_type():
    holding = {
        model._meta.label
        for model in apps.get_models(include_auto_created=False)
        if model is not Client and _reaches_client(model)
    }
    assert {record_type.label for record_type in client_record_types()} == holding
    # The ones this issue was written against, so the search cannot quietly find nothing.
    assert holding >= {
        "courses.Course",
        "courses.Assessment",
        "courses.InventoryPerson",
        "courses.TimelineEvent",
        "courses.Triad",
        "courses.Formulation",
        "courses.ProblemAreaChoice",
        "courses.Goal",
        "courses.TreatmentContract",
        "courses.CourseSession",
        "courses.TerminationReview",
        "courses.RelapsePreventionPlan",
        "courses.MaintenancePlan",
        "measures.Administration",
        "measures.AdministrationAnswer",
        "measures.RiskAlert",
        "measures.MeasureSchedule",
        "measures.SocialRhythmEntry",
        "measures.SelfReportLink",
        "notifications.Message",
    }


def test_the_audit_trail_is_not_a_record_type():
    assert "audit.AuditEvent" not in {record_type.label for record_type in client_record_types()}


def test_every_secret_looking_field_of_a_record_type_was_decided_on():
    models: list[type[Model]] = [Client, *(record_type.model for record_type in client_record_types())]
    undecided = {
        f"{model._meta.label}.{field.name}"
        for model in models
        for field in model._meta.get_fields()
        if SECRET_LOOKING.search(field.name)
        and field.name not in EXCLUDED_FIELDS.get(model._meta.label, frozenset())
        and field.name not in NOT_SECRET.get(model._meta.label, frozenset())
    }
    assert undecided == set()
    assert "token_hash" in EXCLUDED_FIELDS["measures.SelfReportLink"]


def test_every_row_is_erased_before_the_rows_it_points_at():
    order = [record_type.model for record_type in erasure_order()]
    assert set(order) == {record_type.model for record_type in client_record_types()}
    for position, model in enumerate(order):
        for field in model._meta.concrete_fields:
            target = field.related_model
            if isinstance(target, type) and target in order and target is not model:
                assert order.index(target) > position, f"{model._meta.label} -> {target._meta.label}"
