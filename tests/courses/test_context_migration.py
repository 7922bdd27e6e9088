"""Migrating a database whose measures pointed at courses and sessions gives every course its treatment context and
every session its occasion, moves each measure, link, alert and schedule row onto them, and migrating back restores
the old keys."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from iptriad.courses.models import Course, CourseSession
from iptriad.measures.models import Administration, MeasureSchedule, RiskAlert, SelfReportLink
from iptriad.measures.services import administration_record, risk_alert_open_concern, self_report_link_create
from tests.courses.factories import full_course
from tests.measures.factories import PHQ9_WITH_RISK

BEFORE_CONTEXTS = [
    ("courses", "0003_encrypt_existing_clinical_text"),
    ("measures", "0006_encrypt_existing_risk_alert_text"),
]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def leaf_targets() -> list[tuple[str, str]]:
    graph = MigrationExecutor(connection).loader.graph
    # Every app's leaf: going back before the contexts also unapplies the apps built on measures (notifications),
    # which must come back too, or the tests after this one find their tables gone.
    return list(graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_measures_move_from_course_keys_to_contexts_and_back(personas):
    actor = personas.actor(personas.therapist_a)
    records = full_course(personas.client_a, personas.therapist_a)
    course, session = records.course, records.session
    in_session = administration_record(
        actor=actor, client=personas.client_a, code="phq9", answers=PHQ9_WITH_RISK, occasion=session.occasion
    )
    critical = in_session.risk_alerts.get()
    concern = risk_alert_open_concern(
        actor=actor, client=personas.client_a, concern="Hopeless", occasion=session.occasion
    )
    link, _ = self_report_link_create(actor=actor, client=personas.client_a, code="phq9")
    MeasureSchedule.objects.create(
        organisation_id=course.organisation_id,
        context=course.treatment_context,
        instrument_code="phq9",
        cadence="weekly",
    )
    leaves = leaf_targets()

    executor = migrate(BEFORE_CONTEXTS)
    old = executor.loader.project_state(BEFORE_CONTEXTS).apps
    old_administration = old.get_model("measures", "Administration").objects.get(pk=in_session.pk)
    assert (old_administration.course_id, old_administration.session_id) == (course.pk, session.pk)
    assert old.get_model("measures", "RiskAlert").objects.get(pk=concern.pk).session_id == session.pk
    assert old.get_model("measures", "RiskAlert").objects.get(pk=critical.pk).session_id is None
    assert old.get_model("measures", "SelfReportLink").objects.get(pk=link.pk).course_id == course.pk
    assert set(old.get_model("measures", "MeasureSchedule").objects.values_list("course_id", flat=True)) == {course.pk}

    migrate(leaves)
    course = Course.objects.get(pk=course.pk)
    session = CourseSession.objects.get(pk=session.pk)
    assert course.treatment_context.client == personas.client_a
    assert session.occasion.context == course.treatment_context
    administration = Administration.objects.get(pk=in_session.pk)
    assert (administration.context, administration.occasion) == (course.treatment_context, session.occasion)
    concern = RiskAlert.objects.get(pk=concern.pk)
    assert (concern.context, concern.occasion) == (course.treatment_context, session.occasion)
    critical = RiskAlert.objects.get(pk=critical.pk)
    assert (critical.context, critical.occasion) == (course.treatment_context, None)  # from its administration
    assert SelfReportLink.objects.get(pk=link.pk).context == course.treatment_context
    assert set(MeasureSchedule.objects.values_list("context_id", flat=True)) == {course.treatment_context_id}
