"""The migrations encrypt a database that already holds plaintext, and their reverse decrypts it again (run by
tests/test_migration_round_trips.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps.registry import Apps

from iptriad.courses.models import CourseSession, RelapsePreventionPlan
from iptriad.encryption.cipher import is_encrypted
from iptriad.measures.models import RiskAlert
from tests.conftest import Personas
from tests.courses.factories import full_course, termination_records
from tests.encryption.test_field import raw_value, write_raw
from tests.measures.factories import clinical_objects
from tests.migration_round_trips import RoundTrip

LEGACY_NOTE = "Written by an older version, before encryption"


@dataclass(frozen=True)
class Written:
    session_id: int
    alert_id: int
    summary: str
    plan_id: int


def write(personas: Personas) -> Written:
    records = full_course(personas.client_a, personas.therapist_a)
    termination_records(records.course)
    alert = clinical_objects(personas).alert_a
    write_raw(CourseSession, "note", records.session.pk, LEGACY_NOTE)
    plan_id = RelapsePreventionPlan.objects.values_list("pk", flat=True).get(course=records.course)
    return Written(records.session.pk, alert.pk, RiskAlert.objects.get(pk=alert.pk).summary, plan_id)


def check_old(old: Apps, written: Written) -> None:
    assert raw_value(CourseSession, "note", written.session_id) == LEGACY_NOTE
    assert raw_value(RiskAlert, "summary", written.alert_id) == written.summary
    assert raw_value(RelapsePreventionPlan, "warning_signs", written.plan_id) == "Sleeping badly"


def check_new(written: Written) -> None:
    for model, column, pk in [
        (CourseSession, "note", written.session_id),
        (RiskAlert, "summary", written.alert_id),
        (RelapsePreventionPlan, "warning_signs", written.plan_id),
    ]:
        assert is_encrypted(raw_value(model, column, pk)), column
    assert raw_value(CourseSession, "homework_set", written.session_id) == ""  # empty stays empty
    assert CourseSession.objects.get(pk=written.session_id).note == LEGACY_NOTE
    assert RiskAlert.objects.get(pk=written.alert_id).summary == written.summary
    assert RelapsePreventionPlan.objects.get(pk=written.plan_id).warning_signs == "Sleeping badly"


ENCRYPTION = RoundTrip(
    name="clinical text encrypted",
    before=[("courses", "0001_initial"), ("measures", "0004_risk_alert_session")],
    write=write,
    check_old=check_old,
    check_new=check_new,
)
