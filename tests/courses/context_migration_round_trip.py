"""Migrating a database whose measures pointed at courses and sessions gives every course its treatment context and
every session its occasion, moves each measure, link, alert and schedule row onto them, and migrating back restores
the old keys (run by tests/test_migration_round_trips.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps.registry import Apps

from iptriad.courses.models import Course, CourseSession
from iptriad.measures.models import Administration, MeasureSchedule, RiskAlert, SelfReportLink
from iptriad.measures.services import administration_record, risk_alert_open_concern, self_report_link_create
from tests.conftest import Personas, make_client
from tests.courses.factories import full_course
from tests.measures.factories import PHQ9_WITH_RISK
from tests.migration_round_trips import RoundTrip


@dataclass(frozen=True)
class Written:
    client_id: int
    course_id: int
    session_id: int
    in_session_id: int
    critical_id: int
    concern_id: int
    link_id: int
    schedule_id: int


def write(personas: Personas) -> Written:
    # A client of its own: the other round trips write courses and alerts for the personas' clients.
    client = make_client(personas.org_a, "A-CTX1", personas.therapist_a2, given_name="Morgan", family_name="Contexton")
    actor = personas.actor(personas.therapist_a2)
    records = full_course(client, personas.therapist_a2)
    course, session = records.course, records.session
    in_session = administration_record(
        actor=actor, client=client, code="phq9", answers=PHQ9_WITH_RISK, occasion=session.occasion
    )
    critical = in_session.risk_alerts.get()
    concern = risk_alert_open_concern(actor=actor, client=client, concern="Hopeless", occasion=session.occasion)
    link, _ = self_report_link_create(actor=actor, client=client, code="phq9")
    schedule = MeasureSchedule.objects.create(
        organisation_id=course.organisation_id,
        context=course.treatment_context,
        instrument_code="phq9",
        cadence="weekly",
    )
    return Written(client.pk, course.pk, session.pk, in_session.pk, critical.pk, concern.pk, link.pk, schedule.pk)


def check_old(old: Apps, written: Written) -> None:
    old_administration = old.get_model("measures", "Administration").objects.get(pk=written.in_session_id)
    assert (old_administration.course_id, old_administration.session_id) == (written.course_id, written.session_id)
    old_alerts = old.get_model("measures", "RiskAlert").objects
    assert old_alerts.get(pk=written.concern_id).session_id == written.session_id
    assert old_alerts.get(pk=written.critical_id).session_id is None
    assert old.get_model("measures", "SelfReportLink").objects.get(pk=written.link_id).course_id == written.course_id
    old_schedule = old.get_model("measures", "MeasureSchedule").objects.get(pk=written.schedule_id)
    assert old_schedule.course_id == written.course_id


def check_new(written: Written) -> None:
    course = Course.objects.get(pk=written.course_id)
    session = CourseSession.objects.get(pk=written.session_id)
    assert course.treatment_context.client_id == written.client_id
    assert session.occasion.context == course.treatment_context
    administration = Administration.objects.get(pk=written.in_session_id)
    assert (administration.context, administration.occasion) == (course.treatment_context, session.occasion)
    concern = RiskAlert.objects.get(pk=written.concern_id)
    assert (concern.context, concern.occasion) == (course.treatment_context, session.occasion)
    critical = RiskAlert.objects.get(pk=written.critical_id)
    assert (critical.context, critical.occasion) == (course.treatment_context, None)  # from its administration
    assert SelfReportLink.objects.get(pk=written.link_id).context == course.treatment_context
    assert MeasureSchedule.objects.get(pk=written.schedule_id).context_id == course.treatment_context_id


MEASURES_TO_CONTEXTS = RoundTrip(
    name="measures moved onto treatment contexts",
    before=[("courses", "0003_encrypt_existing_clinical_text"), ("measures", "0006_encrypt_existing_risk_alert_text")],
    write=write,
    check_old=check_old,
    check_new=check_new,
)
