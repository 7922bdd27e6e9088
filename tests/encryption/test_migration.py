"""The migrations encrypt a database that already holds plaintext, and their reverse decrypts it again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from iptriad.courses.models import CourseSession, RelapsePreventionPlan
from iptriad.encryption.cipher import is_encrypted
from iptriad.measures.models import RiskAlert
from tests.courses.factories import full_course, termination_records
from tests.encryption.test_field import raw_value, write_raw
from tests.measures.factories import clinical_objects

BEFORE_ENCRYPTION = [("courses", "0001_initial"), ("measures", "0004_risk_alert_session")]


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def leaf_targets() -> list[tuple[str, str]]:
    graph = MigrationExecutor(connection).loader.graph
    # Every app's leaf: going back before encryption also unapplies the apps built on courses and measures
    # (notifications), which must come back for the tests that run after this one.
    return list(graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_plaintext_is_encrypted_by_migrating_and_decrypted_by_migrating_back(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    termination_records(records.course)
    alert = clinical_objects(personas).alert_a
    legacy_note = "Written by an older version, before encryption"
    write_raw(CourseSession, "note", records.session.pk, legacy_note)
    summary = RiskAlert.objects.get(pk=alert.pk).summary
    leaves = leaf_targets()

    migrate(BEFORE_ENCRYPTION)
    assert raw_value(CourseSession, "note", records.session.pk) == legacy_note
    assert raw_value(RiskAlert, "summary", alert.pk) == summary
    plan_pk = RelapsePreventionPlan.objects.values_list("pk", flat=True).get()
    assert raw_value(RelapsePreventionPlan, "warning_signs", plan_pk) == "Sleeping badly"

    migrate(leaves)
    for model, column, pk in [
        (CourseSession, "note", records.session.pk),
        (RiskAlert, "summary", alert.pk),
        (RelapsePreventionPlan, "warning_signs", plan_pk),
    ]:
        assert is_encrypted(raw_value(model, column, pk)), column
    assert raw_value(CourseSession, "homework_set", records.session.pk) == ""  # empty stays empty
    assert CourseSession.objects.get(pk=records.session.pk).note == legacy_note
    assert RiskAlert.objects.get(pk=alert.pk).summary == summary
    assert RelapsePreventionPlan.objects.get().warning_signs == "Sleeping badly"
