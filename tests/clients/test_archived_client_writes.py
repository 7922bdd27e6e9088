"""Issue 16, item 4: an archived client's record takes no clinical write until it is reactivated.

A matrix: every clinical write (the course and each of its parts, sessions, measures, alerts, links, schedules)
for an active client and for the same client archived. Archived, each is refused with the one message of
`client_require_active`, and nothing is written (no row, no audit event); active, the same call is not refused for
that reason. Closing a risk alert and withdrawing a link stay possible for an archived client (safety), and reading
stays possible. Over HTTP: the session form and the API answer the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditEvent
from iptriad.clients.models import Client, ClientStatus
from iptriad.clients.services import ERROR_CLIENT_ARCHIVED, client_archive, client_reactivate
from iptriad.core.protocol import Phase
from iptriad.courses.models import CourseSession
from iptriad.courses.services.course import course_change_phase, course_close, course_open, course_task_mark
from iptriad.courses.services.initial import (
    AssessmentDetails,
    EventDetails,
    PersonDetails,
    TriadDetails,
    assessment_save,
    inventory_person_create,
    inventory_person_delete,
    inventory_person_update,
    timeline_event_create,
    timeline_event_delete,
    triad_save,
)
from iptriad.courses.services.middle import (
    ContractTerms,
    contract_save,
    formulation_save,
    goal_add,
    goal_remove,
    problem_area_end,
)
from iptriad.courses.services.sessions import SessionDetails, course_session_record, course_session_update
from iptriad.measures.models import Administration, AlertAction, MeasureSchedule, RiskAlert, RiskLevel
from iptriad.measures.schedules import measure_schedule_add, measure_schedules_update
from iptriad.measures.services import (
    administration_record,
    risk_alert_close,
    risk_alert_open_concern,
    self_report_link_create,
    self_report_link_revoke,
    social_rhythm_record,
)
from tests.api.conftest import BASE, token_for
from tests.conftest import Personas, logged_in
from tests.courses.factories import OPENED, CourseRecords, full_course
from tests.measures.factories import PHQ9_NO_RISK, PHQ9_WITH_RISK

TODAY = dt.date(2026, 11, 26)
SESSION = SessionDetails(held_on=TODAY, homework_review="none_set", risk_check="no_concern")
DIARY_WEEK = [[420, 450, 540, 1140, 1380]] * 7


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


Write = Callable[[Actor, CourseRecords], Any]

# Each clinical write, called with plausible input for the course of `full_course`.
WRITES: dict[str, Write] = {
    "course_open": lambda actor, r: course_open(actor=actor, client=r.course.client, adaptation="standard"),
    "course_change_phase": lambda actor, r: course_change_phase(
        actor=actor, course=r.course, to_phase=Phase.TERMINATION
    ),
    "course_close": lambda actor, r: course_close(actor=actor, course=r.course, reason="dropped_out"),
    "course_task_mark": lambda actor, r: course_task_mark(actor=actor, course=r.course, task_id="x", done=True),
    "session_record": lambda actor, r: course_session_record(
        actor=actor, course=r.course, details=SessionDetails(held_on=TODAY)
    ),
    "session_update": lambda actor, r: course_session_update(
        actor=actor, session=r.session, details=SessionDetails(held_on=OPENED, note="Changed")
    ),
    "assessment_save": lambda actor, r: assessment_save(
        actor=actor, course=r.course, details=AssessmentDetails(diagnosis_code="F32.1")
    ),
    "inventory_person_create": lambda actor, r: inventory_person_create(
        actor=actor, course=r.course, details=PersonDetails("Ali", "friend")
    ),
    "inventory_person_update": lambda actor, r: inventory_person_update(
        actor=actor, person=r.person, details=PersonDetails("Sam", "partner", ring=1)
    ),
    "inventory_person_delete": lambda actor, r: inventory_person_delete(actor=actor, person=r.person),
    "timeline_event_create": lambda actor, r: timeline_event_create(
        actor=actor, course=r.course, details=EventDetails(dt.date(2026, 6, 1), "life_event", "New job")
    ),
    "timeline_event_delete": lambda actor, r: timeline_event_delete(actor=actor, event=r.event),
    "triad_save": lambda actor, r: triad_save(actor=actor, course=r.course, details=TriadDetails(acute_crisis="x")),
    "problem_area_end": lambda actor, r: problem_area_end(actor=actor, choice=r.problem_area, end_note="Resolved"),
    "goal_add": lambda actor, r: goal_add(actor=actor, problem_area=r.problem_area, text="See a friend weekly"),
    "goal_remove": lambda actor, r: goal_remove(actor=actor, goal=r.goal),
    "formulation_save": lambda actor, r: formulation_save(
        actor=actor, course=r.course, text="Your depression began after the move, and the loss of friends."
    ),
    "contract_save": lambda actor, r: contract_save(
        actor=actor,
        course=r.course,
        terms=ContractTerms(
            sessions_planned=14, frequency="weekly", session_minutes=50, starts_on=OPENED, planned_end_on=None
        ),
        renegotiation_note="Two more sessions",
    ),
    "measure_record": lambda actor, r: administration_record(
        actor=actor, client=r.course.client, code="phq9", answers=PHQ9_WITH_RISK
    ),
    "diary_record": lambda actor, r: social_rhythm_record(
        actor=actor, client=r.course.client, week_start=TODAY - dt.timedelta(days=10), week=DIARY_WEEK
    ),
    "link_create": lambda actor, r: self_report_link_create(actor=actor, client=r.course.client, code="phq9"),
    "alert_raise": lambda actor, r: risk_alert_open_concern(actor=actor, client=r.course.client, concern="Said so"),
    "schedule_add": lambda actor, r: measure_schedule_add(
        actor=actor, context=r.course.treatment_context, code="gad7", cadence="weekly"
    ),
    "schedule_update": lambda actor, r: measure_schedules_update(
        actor=actor, context=r.course.treatment_context, changes=[]
    ),
}


def _messages(error: ValidationError) -> list[str]:
    return list(error.messages)


@pytest.fixture
def records(personas: Personas) -> CourseRecords:
    return full_course(personas.client_a, personas.therapist_a)


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
@pytest.mark.parametrize("archived", [False, True], ids=["active", "archived"])
def test_each_clinical_write_is_refused_for_an_archived_client_only(personas, records, write, archived):
    actor = personas.actor(personas.therapist_a)
    if archived:
        client_archive(actor=actor, client=personas.client_a)
    events = AuditEvent.objects.count()
    sessions, administrations, alerts = (
        CourseSession.objects.count(),
        Administration.objects.count(),
        RiskAlert.objects.count(),
    )
    try:
        WRITES[write](actor, records)
    except ValidationError as error:
        refused = _messages(error)
    else:
        refused = []
    if archived:
        assert refused == [ERROR_CLIENT_ARCHIVED]
        assert AuditEvent.objects.count() == events  # nothing written, not even an audit event
        assert (CourseSession.objects.count(), Administration.objects.count(), RiskAlert.objects.count()) == (
            sessions,
            administrations,
            alerts,
        )
    else:
        assert ERROR_CLIENT_ARCHIVED not in refused


def test_reactivating_the_client_lets_the_writes_through_again(personas, records):
    actor = personas.actor(personas.therapist_a)
    client_archive(actor=actor, client=personas.client_a)
    with pytest.raises(ValidationError):
        course_session_record(actor=actor, course=records.course, details=SESSION)
    client_reactivate(actor=actor, client=Client.objects.get(pk=personas.client_a.pk))
    saved = course_session_record(actor=actor, course=records.course, details=SESSION)
    assert saved.session.number == 2


def test_an_open_risk_alert_can_still_be_closed_and_a_link_withdrawn_once_archived(personas, records):
    actor = personas.actor(personas.therapist_a)
    administration = administration_record(actor=actor, client=personas.client_a, code="phq9", answers=PHQ9_WITH_RISK)
    link, _ = self_report_link_create(actor=actor, client=personas.client_a, code="phq9")
    alert = administration.risk_alerts.get()
    client_archive(actor=actor, client=personas.client_a)
    closed = risk_alert_close(
        actor=actor,
        alert=alert,
        risk_level=RiskLevel.LOW,
        assessment="Assessed by phone.",
        action=AlertAction.SAFETY_PLAN,
        action_detail="",
    )
    assert closed.closed_at is not None
    link.refresh_from_db()
    self_report_link_revoke(actor=actor, link=link)  # already withdrawn by the archive; doing it again is harmless


class TestOverHttp:
    def test_the_session_form_says_why_and_records_nothing(self, personas, records):
        http = logged_in(personas.therapist_a)
        assert http.post(reverse("client-archive", args=[personas.client_a.pk])).status_code == 302
        page = http.post(
            reverse("course-session-new", args=[records.course.pk]),
            {"held_on": TODAY.isoformat(), "attendance": "attended"},
        )
        assert page.status_code == 400
        assert ERROR_CLIENT_ARCHIVED in page.content.decode()
        assert CourseSession.objects.filter(course=records.course).count() == 1

    def test_the_raise_alert_action_says_why(self, personas, records):
        http = logged_in(personas.therapist_a)
        http.post(reverse("client-archive", args=[personas.client_a.pk]))
        page = http.post(reverse("alert-raise", args=[personas.client_a.pk]), {"concern": "Said so"}, follow=True)
        assert ERROR_CLIENT_ARCHIVED in page.content.decode()
        assert not RiskAlert.objects.exists()

    def test_reading_the_archived_record_stays_possible(self, personas, records):
        http = logged_in(personas.therapist_a)
        http.post(reverse("client-archive", args=[personas.client_a.pk]))
        assert Client.objects.get(pk=personas.client_a.pk).status == ClientStatus.ARCHIVED
        assert http.get(reverse("course-session-detail", args=[records.session.pk])).status_code == 200
        assert http.get(reverse("measures-client", args=[personas.client_a.pk])).status_code == 200

    def test_the_api_answers_422_with_the_reason(self, personas, records):
        token = token_for(personas.therapist_a, personas.org_a)
        client_archive(actor=personas.actor(personas.therapist_a), client=personas.client_a)
        response = logged_in(personas.therapist_a).post(
            f"{BASE}/clients/{personas.client_a.pk}/administrations",
            {"instrument": "phq9", "answers": PHQ9_NO_RISK},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 422
        assert response.json() == {"detail": [{"field": None, "message": ERROR_CLIENT_ARCHIVED}]}
        assert not Administration.objects.exists()
        assert not MeasureSchedule.objects.filter(instrument_code="gad7").exists()
