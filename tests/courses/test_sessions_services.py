"""Recording and editing sessions: numbering, every refusal, the risk concern's alert, permissions and audit."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import Phase
from iptriad.courses.models import CourseSession, ProblemAreaChoice
from iptriad.courses.models.sessions import Attendance, HomeworkReview, RiskCheck
from iptriad.courses.services import sessions as services
from iptriad.courses.services.course import ERROR_NOT_OPEN
from iptriad.courses.services.sessions import SessionDetails, course_session_record, course_session_update
from iptriad.measures.models import AlertSource, RiskAlert
from tests.conftest import make_client
from tests.courses.factories import OPENED, full_course, make_course, occasion_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
TRANSITION_SKILLS = "role_transition.strategy.skills"
TRANSITION_WEIGH = "role_transition.strategy.weigh_roles"
GRIEF_FEELINGS = "grief.strategy.feelings"
CONCERN = "Said they sometimes wish they would not wake up."


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


def details(**changes: object) -> SessionDetails:
    base = SessionDetails(
        held_on=dt.date(2026, 9, 22),
        attendance=Attendance.ATTENDED,
        mood_since_last="A better week; low again on Sunday.",
        events_linked="Low after a lonely weekend in the new city.",
        strategies=(TRANSITION_SKILLS,),
        techniques=("communication_analysis",),
        homework_review=HomeworkReview.PARTLY,
        homework_review_note="Called one colleague.",
        homework_set="Join the choir rehearsal on Thursday.",
        risk_check=RiskCheck.NO_CONCERN,
        note="Engaged well.",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def written() -> tuple[int, int, int]:
    """Sessions, session audit events and risk alerts: a refusal leaves all three as they were."""
    return (
        CourseSession.objects.count(),
        AuditEvent.objects.filter(action=AuditAction.COURSE_SESSION_SAVED).count(),
        RiskAlert.objects.count(),
    )


@pytest.fixture
def records(personas):
    return full_course(personas.client_a, personas.therapist_a)


@pytest.fixture
def actor(personas):
    return personas.actor(personas.therapist_a)


class TestNumbering:
    def test_it_numbers_the_first_session_of_a_course_1(self, personas, actor):
        course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL)
        saved = course_session_record(actor=actor, course=course, details=details(strategies=()))
        assert saved.session.number == 1

    def test_it_numbers_each_session_after_the_highest_one_cancelled_or_not(self, records, actor):
        second = course_session_record(
            actor=actor, course=records.course, details=details(attendance=Attendance.CANCELLED, note="Client ill.")
        )
        third = course_session_record(actor=actor, course=records.course, details=details())
        assert (second.session.number, third.session.number) == (2, 3)

    def test_it_takes_the_number_after_the_highest_even_with_a_gap(self, records, actor):
        CourseSession.objects.filter(pk=records.session.pk).update(number=5)
        saved = course_session_record(actor=actor, course=records.course, details=details())
        assert saved.session.number == 6

    def test_the_database_refuses_a_second_session_with_the_same_number(self, records, personas):
        with pytest.raises(IntegrityError), transaction.atomic():
            CourseSession.objects.create(
                organisation=personas.org_a,
                course=records.course,
                occasion=occasion_for(records.course),
                number=1,
                held_on=OPENED,
                phase=Phase.MIDDLE,
                recorded_by=personas.therapist_a,
            )

    def test_a_number_taken_at_the_same_moment_is_refused_with_a_message(self, records, actor, monkeypatch):
        def taken(**kwargs: object) -> CourseSession:
            raise IntegrityError("UNIQUE constraint failed: session_number_once_per_course")

        monkeypatch.setattr(CourseSession.objects, "create", taken)
        before = written()
        with pytest.raises(ValidationError) as excinfo:
            course_session_record(actor=actor, course=records.course, details=details())
        assert excinfo.value.messages == [services.ERROR_NUMBER_TAKEN]
        assert written() == before

    def test_it_locks_the_course_row_while_numbering(self, records, actor):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            course_session_record(actor=actor, course=records.course, details=details())
        # SQLite ignores FOR UPDATE (its writers are serialised by IMMEDIATE transactions); PostgreSQL honours it.
        locking = [q["sql"] for q in captured.captured_queries if 'FROM "courses_course"' in q["sql"]]
        assert locking
        if connection.features.has_select_for_update:
            assert any("FOR UPDATE" in sql for sql in locking)


class TestRecord:
    def test_it_records_every_part_and_copies_the_phase(self, records, actor, personas):
        saved = course_session_record(actor=actor, course=records.course, details=details())
        session = CourseSession.objects.get(pk=saved.session.pk)
        assert session.phase == Phase.MIDDLE
        assert session.recorded_by == personas.therapist_a
        assert session.organisation == personas.org_a
        assert session.strategies == [TRANSITION_SKILLS]
        assert session.techniques == ["communication_analysis"]
        assert session.homework_review == HomeworkReview.PARTLY
        assert session.homework_set == "Join the choir rehearsal on Thursday."
        assert session.risk_check == RiskCheck.NO_CONCERN
        assert saved.alert is None

    def test_it_keeps_strategies_and_techniques_once_each_in_protocol_order(self, records, actor):
        chosen = (TRANSITION_SKILLS, TRANSITION_WEIGH, TRANSITION_SKILLS)
        techniques = ("role_play", "exploratory_questioning", "role_play")
        saved = course_session_record(
            actor=actor, course=records.course, details=details(strategies=chosen, techniques=techniques)
        )
        assert saved.session.strategies == [TRANSITION_WEIGH, TRANSITION_SKILLS]
        assert saved.session.techniques == ["exploratory_questioning", "role_play"]

    def test_it_records_a_maintenance_session_in_the_maintenance_phase(self, records, actor):
        records.course.phase = Phase.MAINTENANCE
        records.course.save()
        saved = course_session_record(actor=actor, course=records.course, details=details())
        assert saved.session.phase == Phase.MAINTENANCE

    def test_a_session_on_the_day_the_course_opened_or_of_the_previous_session_is_fine(self, records, actor):
        saved = course_session_record(actor=actor, course=records.course, details=details(held_on=OPENED))
        assert saved.session.held_on == OPENED

    @pytest.mark.parametrize("attendance", [Attendance.CANCELLED, Attendance.NO_SHOW])
    def test_a_missed_session_keeps_only_its_date_attendance_risk_check_and_note(self, records, actor, attendance):
        saved = course_session_record(
            actor=actor,
            course=records.course,
            details=details(attendance=attendance, risk_check="", note="Phoned: unwell, rebooked for Friday."),
        )
        session = CourseSession.objects.get(pk=saved.session.pk)
        assert (session.attendance, session.note, session.risk_check) == (
            attendance,
            "Phoned: unwell, rebooked for Friday.",
            "",
        )
        assert (session.strategies, session.techniques) == ([], [])
        blank = ("mood_since_last", "events_linked", "homework_review", "homework_review_note", "homework_set")
        assert all(getattr(session, name) == "" for name in blank)

    def test_a_missed_session_can_still_record_a_concern(self, records, actor):
        saved = course_session_record(
            actor=actor,
            course=records.course,
            details=details(
                attendance=Attendance.NO_SHOW, note="Outreach call.", risk_check="concern", concern=CONCERN
            ),
        )
        assert saved.alert is not None

    def test_it_audits_ids_and_field_names_never_the_text(self, records, actor, personas):
        saved = course_session_record(actor=actor, course=records.course, details=details())
        event = AuditEvent.objects.get(action=AuditAction.COURSE_SESSION_SAVED)
        assert (event.actor, event.organisation, event.object_type, event.object_id) == (
            personas.therapist_a,
            personas.org_a,
            "coursesession",
            str(saved.session.pk),
        )
        assert event.detail["course"] == records.course.pk
        assert event.detail["number"] == 2
        assert event.detail["created"] is True
        assert "homework_set" in event.detail["fields"]
        assert "choir" not in str(event.detail)

    def test_it_marks_the_course_as_changed(self, records, actor):
        before = records.course.updated_at
        course_session_record(actor=actor, course=records.course, details=details())
        records.course.refresh_from_db()
        assert records.course.updated_at > before


class TestRefusals:
    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"held_on": dt.date(2026, 11, 27)}, "held_on", services.ERROR_DATE_IN_FUTURE),
            (
                {"held_on": dt.date(2026, 8, 31)},
                "held_on",
                services.ERROR_DATE_BEFORE_COURSE.format(date="01 September 2026"),
            ),
            ({"attendance": "late"}, "attendance", services.ERROR_ATTENDANCE),
            ({"attendance": Attendance.CANCELLED, "note": "  "}, "note", services.ERROR_ABSENCE_NOTE),
            ({"attendance": Attendance.NO_SHOW, "note": ""}, "note", services.ERROR_ABSENCE_NOTE),
            ({"strategies": (GRIEF_FEELINGS,)}, "strategies", services.ERROR_UNKNOWN_STRATEGY),
            ({"strategies": ("made_up",)}, "strategies", services.ERROR_UNKNOWN_STRATEGY),
            ({"techniques": ("transference_interpretation",)}, "techniques", services.ERROR_UNKNOWN_TECHNIQUE),
            ({"techniques": ("hypnosis",)}, "techniques", services.ERROR_UNKNOWN_TECHNIQUE),
            ({"homework_review": ""}, "homework_review", services.ERROR_HOMEWORK_REVIEW),
            ({"homework_review": "maybe"}, "homework_review", services.ERROR_HOMEWORK_REVIEW),
            ({"risk_check": ""}, "risk_check", services.ERROR_RISK_CHECK),
            ({"risk_check": "fine"}, "risk_check", services.ERROR_RISK_CHECK),
            (
                {"attendance": Attendance.CANCELLED, "note": "Ill.", "risk_check": "fine"},
                "risk_check",
                services.ERROR_RISK_CHECK,
            ),
            ({"risk_check": RiskCheck.CONCERN, "concern": " "}, "concern", services.ERROR_CONCERN_REQUIRED),
            ({"risk_check": RiskCheck.CONCERN, "concern": "x" * 301}, "concern", services.ERROR_CONCERN_TOO_LONG),
            ({"risk_check": RiskCheck.NOT_ASKED, "concern": CONCERN}, "concern", services.ERROR_CONCERN_WITHOUT_CHECK),
        ],
    )
    def test_it_refuses_bad_input_with_a_message_and_writes_nothing(self, records, actor, changes, field, message):
        before = written()
        with pytest.raises(ValidationError) as excinfo:
            course_session_record(actor=actor, course=records.course, details=details(**changes))
        assert excinfo.value.message_dict == {field: [message]}
        assert written() == before

    def test_it_refuses_a_date_before_the_previous_session(self, records, actor):
        CourseSession.objects.filter(pk=records.session.pk).update(held_on=dt.date(2026, 9, 15))
        before = written()
        with pytest.raises(ValidationError) as excinfo:
            course_session_record(actor=actor, course=records.course, details=details(held_on=dt.date(2026, 9, 14)))
        expected = services.ERROR_DATE_BEFORE_PREVIOUS.format(number=1, date="15 September 2026")
        assert excinfo.value.message_dict == {"held_on": [expected]}
        assert written() == before

    def test_it_reports_every_problem_at_once(self, records, actor):
        with pytest.raises(ValidationError) as excinfo:
            course_session_record(
                actor=actor,
                course=records.course,
                details=details(held_on=dt.date(2027, 1, 1), homework_review="", risk_check=""),
            )
        assert set(excinfo.value.message_dict) == {"held_on", "homework_review", "risk_check"}

    def test_it_refuses_strategies_of_a_problem_area_that_is_no_longer_active(self, records, actor):
        ProblemAreaChoice.objects.filter(pk=records.problem_area.pk).update(active=False)
        with pytest.raises(ValidationError) as excinfo:
            course_session_record(actor=actor, course=records.course, details=details())
        assert excinfo.value.message_dict == {"strategies": [services.ERROR_UNKNOWN_STRATEGY]}

    def test_it_refuses_a_closed_course(self, records, actor):
        records.course.phase = Phase.CLOSED
        records.course.closed_on = TODAY
        records.course.end_reason = "completed"
        records.course.save()
        before = written()
        with pytest.raises(ValidationError) as excinfo:
            course_session_record(actor=actor, course=records.course, details=details())
        assert excinfo.value.messages == [ERROR_NOT_OPEN]
        assert written() == before


class TestRiskConcern:
    def test_a_concern_opens_a_risk_alert_with_the_session(self, records, actor, personas):
        saved = course_session_record(
            actor=actor, course=records.course, details=details(risk_check=RiskCheck.CONCERN, concern=f" {CONCERN} ")
        )
        alert = RiskAlert.objects.get()
        assert saved.alert == alert
        assert (alert.client, alert.source, alert.summary, alert.opened_by) == (
            personas.client_a,
            AlertSource.CLINICIAN_CONCERN,
            CONCERN,
            personas.therapist_a,
        )
        assert alert.is_open
        event = AuditEvent.objects.get(action=AuditAction.COURSE_SESSION_SAVED)
        assert event.detail["risk_alert"] == alert.pk
        assert CONCERN not in str(event.detail)

    def test_if_the_alert_cannot_be_opened_nothing_is_saved(self, records, actor, monkeypatch):
        def broken(**kwargs: object) -> RiskAlert:
            raise RuntimeError("the alert table is unavailable")

        monkeypatch.setattr(services, "risk_alert_open_concern", broken)
        before = written()
        with pytest.raises(RuntimeError):
            course_session_record(
                actor=actor, course=records.course, details=details(risk_check=RiskCheck.CONCERN, concern=CONCERN)
            )
        assert written() == before

    def test_the_course_therapist_opens_the_alert_even_when_the_client_is_assigned_to_a_colleague(self, personas):
        # The client is assigned to therapist_a2 while therapist_a runs the course: the course decides.
        client = make_client(personas.org_a, "A-0500", personas.therapist_a2)
        course = full_course(client, personas.therapist_a).course
        saved = course_session_record(
            actor=personas.actor(personas.therapist_a),
            course=course,
            details=details(risk_check=RiskCheck.CONCERN, concern=CONCERN),
        )
        assert saved.alert is not None
        assert saved.alert.client == client

    def test_a_supervisor_records_a_concern_and_the_alert_opens(self, records, personas):
        saved = course_session_record(
            actor=personas.actor(personas.supervisor_a),
            course=records.course,
            details=details(risk_check=RiskCheck.CONCERN, concern=CONCERN),
        )
        assert saved.alert is not None
        assert saved.session.recorded_by == personas.supervisor_a


class TestPermissions:
    @pytest.mark.parametrize("who", ["therapist_a2", "admin_a", "facilitator_a"])
    def test_only_the_courses_therapist_and_supervisors_may_record(self, records, personas, who):
        before = written()
        with pytest.raises(PermissionDenied):
            course_session_record(
                actor=personas.actor(getattr(personas, who)), course=records.course, details=details()
            )
        assert written() == before

    def test_a_therapist_of_another_organisation_may_not_record(self, records, personas):
        with pytest.raises(PermissionDenied):
            course_session_record(
                actor=personas.actor(personas.therapist_b, personas.org_b), course=records.course, details=details()
            )

    def test_a_colleague_may_not_edit(self, records, personas):
        with pytest.raises(PermissionDenied):
            course_session_update(
                actor=personas.actor(personas.therapist_a2), session=records.session, details=details()
            )


class TestUpdate:
    def test_it_corrects_a_session_keeping_its_number_and_phase(self, records, actor):
        saved = course_session_update(actor=actor, session=records.session, details=details(held_on=OPENED))
        session = CourseSession.objects.get(pk=records.session.pk)
        assert (session.number, session.phase) == (1, Phase.INITIAL)
        assert session.homework_set == "Join the choir rehearsal on Thursday."
        assert "homework_set" in saved.fields
        assert "held_on" not in saved.fields
        event = AuditEvent.objects.get(action=AuditAction.COURSE_SESSION_SAVED)
        assert event.detail["created"] is False
        assert event.detail["fields"] == list(saved.fields)

    def test_it_refuses_a_date_after_the_next_session(self, records, actor):
        later = course_session_record(actor=actor, course=records.course, details=details(held_on=dt.date(2026, 9, 8)))
        with pytest.raises(ValidationError) as excinfo:
            course_session_update(actor=actor, session=records.session, details=details(held_on=dt.date(2026, 9, 9)))
        expected = services.ERROR_DATE_AFTER_NEXT.format(number=later.session.number, date="08 September 2026")
        assert excinfo.value.message_dict == {"held_on": [expected]}
        assert CourseSession.objects.get(pk=records.session.pk).held_on == OPENED

    def test_it_refuses_a_date_before_the_previous_session(self, records, actor):
        CourseSession.objects.filter(pk=records.session.pk).update(held_on=dt.date(2026, 9, 5))
        later = course_session_record(actor=actor, course=records.course, details=details(held_on=dt.date(2026, 9, 8)))
        with pytest.raises(ValidationError) as excinfo:
            course_session_update(actor=actor, session=later.session, details=details(held_on=dt.date(2026, 9, 4)))
        expected = services.ERROR_DATE_BEFORE_PREVIOUS.format(number=1, date="05 September 2026")
        assert excinfo.value.message_dict == {"held_on": [expected]}

    def test_it_keeps_strategies_of_an_area_that_ended_since(self, records, actor):
        course_session_update(actor=actor, session=records.session, details=details())
        ProblemAreaChoice.objects.filter(pk=records.problem_area.pk).update(active=False)
        session = CourseSession.objects.get(pk=records.session.pk)
        saved = course_session_update(actor=actor, session=session, details=details(note="Corrected."))
        assert saved.session.strategies == [TRANSITION_SKILLS]
        with pytest.raises(ValidationError):
            course_session_update(
                actor=actor, session=session, details=details(strategies=(TRANSITION_SKILLS, TRANSITION_WEIGH))
            )

    def test_a_concern_added_on_correction_opens_one_alert_and_only_once(self, records, actor):
        concern = details(risk_check=RiskCheck.CONCERN, concern=CONCERN)
        first = course_session_update(actor=actor, session=records.session, details=concern)
        session = CourseSession.objects.get(pk=records.session.pk)
        second = course_session_update(actor=actor, session=session, details=dataclasses.replace(concern, concern=""))
        assert first.alert is not None
        assert second.alert is None
        assert RiskAlert.objects.count() == 1

    def test_a_recorded_concern_cannot_be_changed_away(self, records, actor):
        course_session_update(
            actor=actor, session=records.session, details=details(risk_check=RiskCheck.CONCERN, concern=CONCERN)
        )
        session = CourseSession.objects.get(pk=records.session.pk)
        before = written()
        with pytest.raises(ValidationError) as excinfo:
            course_session_update(actor=actor, session=session, details=details(risk_check=RiskCheck.NO_CONCERN))
        assert excinfo.value.message_dict == {"risk_check": [services.ERROR_CONCERN_KEPT]}
        assert written() == before
        assert CourseSession.objects.get(pk=session.pk).risk_check == RiskCheck.CONCERN

    def test_it_refuses_a_closed_course(self, records, actor):
        records.course.phase = Phase.CLOSED
        records.course.closed_on = TODAY
        records.course.end_reason = "completed"
        records.course.save()
        with pytest.raises(ValidationError) as excinfo:
            course_session_update(actor=actor, session=records.session, details=details())
        assert excinfo.value.messages == [ERROR_NOT_OPEN]


def test_the_alert_a_session_opens_points_back_to_the_session(personas):
    from iptriad.courses.services.sessions import course_session_record
    from tests.courses.factories import full_course

    course = full_course(personas.client_a, personas.therapist_a).course
    saved = course_session_record(
        actor=personas.actor(personas.therapist_a),
        course=course,
        details=details(risk_check=RiskCheck.CONCERN, concern=CONCERN),
    )
    assert saved.alert is not None
    assert saved.alert.occasion == saved.session.occasion
    assert saved.alert.context == course.treatment_context
