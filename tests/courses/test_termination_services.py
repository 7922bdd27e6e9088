"""The ending services: termination review, goals' status, relapse-prevention plan, maintenance plan."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import ContractSnapshot, CourseSnapshot, EndReason, Phase, check_close
from iptriad.core.protocol.rules import COMPLETED_NO_PLAN
from iptriad.courses.models import (
    Course,
    CourseSession,
    Goal,
    MaintenancePlan,
    RelapsePreventionPlan,
    TerminationReview,
)
from iptriad.courses.services import termination
from iptriad.courses.services.course import ERROR_NOT_OPEN
from iptriad.courses.services.termination import (
    MaintenancePlanDetails,
    RelapsePreventionPlanDetails,
    TerminationReviewDetails,
    ending_window_open,
    goal_status_update,
    maintenance_plan_delete,
    maintenance_plan_save,
    relapse_prevention_plan_save,
    termination_review_save,
)
from iptriad.courses.snapshot import course_snapshot
from tests.courses.factories import OPENED, full_course, occasion_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
BEFORE_COURSE = termination.ERROR_DATE_BEFORE_COURSE.format(opened_on="1 September 2026")


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def records(personas):
    return full_course(personas.client_a, personas.therapist_a)


def in_phase(course: Course, phase: Phase) -> Course:
    if phase is Phase.CLOSED:
        Course.objects.filter(pk=course.pk).update(phase=phase, closed_on=TODAY, end_reason=EndReason.OTHER)
    else:
        Course.objects.filter(pk=course.pk).update(phase=phase)
    course.refresh_from_db()
    return course


@pytest.fixture
def course(records):
    """A course in its termination phase."""
    return in_phase(records.course, Phase.TERMINATION)


def hold_sessions(course: Course, up_to: int) -> None:
    """Attended sessions 2 .. up_to (the factory holds session 1)."""
    for number in range(2, up_to + 1):
        CourseSession.objects.create(
            organisation_id=course.organisation_id,
            course=course,
            occasion=occasion_for(course),
            number=number,
            held_on=OPENED + dt.timedelta(weeks=number - 1),
            phase=Phase.MIDDLE,
            recorded_by=course.therapist,
        )


def review(**changes: object) -> TerminationReviewDetails:
    base = TerminationReviewDetails(
        progress_summary="PHQ-9 from 18 to 6; new friends at the choir.",
        why_better="She joined the choir herself.",
        skills_gained="Asking for support.",
        feelings_about_ending="Sad to stop; we named it as normal.",
        next_step="",
        next_step_detail="",
        reviewed_on=TODAY,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def plan(**changes: object) -> RelapsePreventionPlanDetails:
    base = RelapsePreventionPlanDetails(
        warning_signs="Sleeping badly, stopping choir.",
        what_helps="Choir, calling Sam.",
        people_to_turn_to="Sam, my sister.",
        if_symptoms_return="Call the clinic within a week.",
        emergency_contacts="Emergency number 112.",
        agreed_on=TODAY,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def maintenance(**changes: object) -> MaintenancePlanDetails:
    base = MaintenancePlanDetails(frequency="monthly", sessions_planned=6, starts_on=dt.date(2027, 1, 5), notes="")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def events(action: AuditAction = AuditAction.COURSE_RECORD_SAVED) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


class TestTheEndingWindow:
    @pytest.mark.parametrize(
        ("phase", "planned", "held", "open_"),
        [
            (Phase.INITIAL, None, 2, False),
            (Phase.MIDDLE, None, 6, False),
            (Phase.MIDDLE, 12, 6, False),  # the next session is 7 of 12: five left after it
            (Phase.MIDDLE, 12, 7, True),  # session 8 of 12, where the guide prompts "raise the ending"
            (Phase.MIDDLE, 12, 14, True),  # past the contract
            (Phase.TERMINATION, 12, 3, True),  # an early termination (a move, an early remission)
            (Phase.MAINTENANCE, 30, 14, True),
            (Phase.CLOSED, 12, 12, False),
        ],
    )
    def test_it_opens_with_the_ending_raised_or_the_termination_phase(self, phase, planned, held, open_):
        contract = ContractSnapshot(sessions_planned=planned, agreed_on=OPENED) if planned else None
        snapshot = CourseSnapshot(adaptation="standard", phase=phase, contract=contract, sessions_held=held)
        assert ending_window_open(snapshot) is open_


class TestTerminationReviewSave:
    def test_it_creates_the_review_and_audits_field_names_only(self, personas, course):
        saved = termination_review_save(actor=personas.actor(personas.therapist_a), course=course, details=review())
        assert TerminationReview.objects.get() == saved
        assert saved.organisation == personas.org_a
        assert saved.skills_gained == "Asking for support."
        [event] = events()
        assert (event.actor, event.object_type, event.object_id) == (
            personas.therapist_a,
            "terminationreview",
            str(saved.pk),
        )
        assert event.detail["course"] == course.pk
        assert event.detail["created"] is True
        assert "progress_summary" in event.detail["fields"]
        assert "choir" not in str(event.detail)

    def test_it_updates_only_what_changed_and_audits_those_fields(self, personas, course):
        actor = personas.actor(personas.therapist_a)
        termination_review_save(actor=actor, course=course, details=review())
        termination_review_save(actor=actor, course=course, details=review(why_better="Her own courage."))
        assert TerminationReview.objects.get().why_better == "Her own courage."
        assert events()[-1].detail == {"course": course.pk, "created": False, "fields": ["why_better"]}

    def test_saving_the_same_review_again_writes_nothing(self, personas, course):
        actor = personas.actor(personas.therapist_a)
        termination_review_save(actor=actor, course=course, details=review())
        termination_review_save(
            actor=actor,
            course=course,
            details=review(progress_summary="  PHQ-9 from 18 to 6; new friends at the choir.  "),
        )
        assert len(events()) == 1

    def test_a_supervisor_may_write_it(self, personas, course):
        termination_review_save(actor=personas.actor(personas.supervisor_a), course=course, details=review())
        assert TerminationReview.objects.count() == 1

    @pytest.mark.parametrize("who", ["therapist_a2", "admin_a", "facilitator_a"])
    def test_others_of_the_organisation_may_not(self, personas, course, who):
        with pytest.raises(PermissionDenied):
            termination_review_save(actor=personas.actor(getattr(personas, who)), course=course, details=review())
        assert not TerminationReview.objects.exists()

    def test_another_organisations_therapist_may_not(self, personas, course):
        actor = personas.actor(personas.therapist_b, personas.org_b)
        with pytest.raises(PermissionDenied):
            termination_review_save(actor=actor, course=course, details=review())
        assert not TerminationReview.objects.exists()

    def test_it_is_refused_early_in_the_middle_phase(self, personas, records):
        with pytest.raises(ValidationError) as excinfo:
            termination_review_save(actor=personas.actor(personas.therapist_a), course=records.course, details=review())
        assert excinfo.value.messages == [termination.ERROR_TOO_EARLY]
        assert not TerminationReview.objects.exists()
        assert not events()

    def test_it_is_refused_in_the_initial_phase(self, personas, records):
        course = in_phase(records.course, Phase.INITIAL)
        with pytest.raises(ValidationError) as excinfo:
            termination_review_save(actor=personas.actor(personas.therapist_a), course=course, details=review())
        assert excinfo.value.messages == [termination.ERROR_TOO_EARLY]

    def test_it_is_allowed_in_the_middle_phase_once_the_ending_is_raised(self, personas, records):
        hold_sessions(records.course, 7)
        termination_review_save(actor=personas.actor(personas.therapist_a), course=records.course, details=review())
        assert TerminationReview.objects.count() == 1

    def test_it_is_allowed_in_the_maintenance_phase(self, personas, records):
        course = in_phase(records.course, Phase.MAINTENANCE)
        termination_review_save(
            actor=personas.actor(personas.therapist_a), course=course, details=review(next_step="maintenance")
        )
        assert TerminationReview.objects.get().next_step == "maintenance"

    def test_it_is_refused_on_a_closed_course(self, personas, records):
        course = in_phase(records.course, Phase.CLOSED)
        with pytest.raises(ValidationError) as excinfo:
            termination_review_save(actor=personas.actor(personas.therapist_a), course=course, details=review())
        assert excinfo.value.messages == [ERROR_NOT_OPEN]
        assert not TerminationReview.objects.exists()

    def test_it_needs_a_progress_summary(self, personas, course):
        with pytest.raises(ValidationError) as excinfo:
            termination_review_save(
                actor=personas.actor(personas.therapist_a), course=course, details=review(progress_summary="   ")
            )
        assert errors_of(excinfo) == {"progress_summary": [termination.ERROR_PROGRESS_REQUIRED]}
        assert not TerminationReview.objects.exists()

    def test_it_refuses_an_unknown_next_step(self, personas, course):
        with pytest.raises(ValidationError) as excinfo:
            termination_review_save(
                actor=personas.actor(personas.therapist_a), course=course, details=review(next_step="holiday")
            )
        assert errors_of(excinfo) == {"next_step": [termination.ERROR_NEXT_STEP_UNKNOWN]}

    def test_it_refuses_a_detail_without_a_next_step(self, personas, course):
        with pytest.raises(ValidationError) as excinfo:
            termination_review_save(
                actor=personas.actor(personas.therapist_a), course=course, details=review(next_step_detail="GP")
            )
        assert errors_of(excinfo) == {"next_step_detail": [termination.ERROR_DETAIL_WITHOUT_STEP]}

    def test_a_referral_says_where_to(self, personas, course):
        actor = personas.actor(personas.therapist_a)
        with pytest.raises(ValidationError) as excinfo:
            termination_review_save(actor=actor, course=course, details=review(next_step="referral"))
        assert errors_of(excinfo) == {"next_step_detail": [termination.ERROR_REFERRAL_DETAIL]}
        termination_review_save(
            actor=actor, course=course, details=review(next_step="referral", next_step_detail="GP: medication review")
        )
        assert TerminationReview.objects.get().next_step_detail == "GP: medication review"

    def test_it_keeps_maintenance_as_the_next_step_while_a_maintenance_plan_exists(self, personas, course):
        actor = personas.actor(personas.therapist_a)
        termination_review_save(actor=actor, course=course, details=review(next_step="maintenance"))
        maintenance_plan_save(actor=actor, course=course, details=maintenance())
        with pytest.raises(ValidationError) as excinfo:
            termination_review_save(actor=actor, course=course, details=review(next_step="none"))
        assert errors_of(excinfo) == {"next_step": [termination.ERROR_NEXT_STEP_HAS_MAINTENANCE]}
        termination_review_save(actor=actor, course=course, details=review(next_step="continuation"))
        assert TerminationReview.objects.get().next_step == "continuation"

    def test_it_keeps_maintenance_as_the_next_step_in_the_maintenance_phase(self, personas, records):
        course = in_phase(records.course, Phase.MAINTENANCE)
        with pytest.raises(ValidationError) as excinfo:
            termination_review_save(
                actor=personas.actor(personas.therapist_a),
                course=course,
                details=review(next_step="referral", next_step_detail="GP"),
            )
        assert errors_of(excinfo) == {"next_step": [termination.ERROR_NEXT_STEP_IN_MAINTENANCE]}

    @pytest.mark.parametrize(
        ("reviewed_on", "message"),
        [
            (TODAY + dt.timedelta(days=1), termination.ERROR_DATE_IN_FUTURE),
            (OPENED - dt.timedelta(days=1), BEFORE_COURSE),
        ],
    )
    def test_the_review_date_is_within_the_course(self, personas, course, reviewed_on, message):
        with pytest.raises(ValidationError) as excinfo:
            termination_review_save(
                actor=personas.actor(personas.therapist_a), course=course, details=review(reviewed_on=reviewed_on)
            )
        assert errors_of(excinfo) == {"reviewed_on": [message]}


class TestGoalStatusUpdate:
    def test_it_records_the_status_and_audits_field_names_only(self, personas, records):
        goal = goal_status_update(
            actor=personas.actor(personas.therapist_a), goal=records.goal, status="achieved", status_note=" Choir "
        )
        goal.refresh_from_db()
        assert (goal.status, goal.status_note) == ("achieved", "Choir")
        [event] = events()
        assert (event.object_type, event.object_id) == ("goal", str(goal.pk))
        assert event.detail == {"course": records.course.pk, "fields": ["status", "status_note"]}

    def test_it_is_allowed_in_the_middle_phase_for_the_midpoint_review(self, personas, records):
        goal_status_update(
            actor=personas.actor(personas.supervisor_a), goal=records.goal, status="in_progress", status_note=""
        )
        assert Goal.objects.get().status == "in_progress"

    def test_an_unchanged_status_writes_nothing(self, personas, records):
        goal_status_update(
            actor=personas.actor(personas.therapist_a), goal=records.goal, status="not_started", status_note=""
        )
        assert not events()

    def test_it_refuses_an_unknown_status(self, personas, records):
        with pytest.raises(ValidationError) as excinfo:
            goal_status_update(
                actor=personas.actor(personas.therapist_a), goal=records.goal, status="done", status_note=""
            )
        assert errors_of(excinfo) == {"status": [termination.ERROR_GOAL_STATUS]}
        assert Goal.objects.get().status == "not_started"

    def test_it_is_refused_on_a_closed_course(self, personas, records):
        in_phase(records.course, Phase.CLOSED)
        goal = Goal.objects.select_related("course").get()
        with pytest.raises(ValidationError) as excinfo:
            goal_status_update(actor=personas.actor(personas.therapist_a), goal=goal, status="achieved", status_note="")
        assert excinfo.value.messages == [ERROR_NOT_OPEN]
        assert Goal.objects.get().status == "not_started"

    def test_a_colleague_may_not(self, personas, records):
        with pytest.raises(PermissionDenied):
            goal_status_update(
                actor=personas.actor(personas.therapist_a2), goal=records.goal, status="achieved", status_note=""
            )
        assert Goal.objects.get().status == "not_started"


class TestRelapsePreventionPlanSave:
    def test_it_creates_the_plan_and_audits_field_names_only(self, personas, course):
        saved = relapse_prevention_plan_save(actor=personas.actor(personas.therapist_a), course=course, details=plan())
        assert RelapsePreventionPlan.objects.get() == saved
        assert saved.agreed_on == TODAY
        [event] = events()
        assert (event.object_type, event.detail["course"], event.detail["created"]) == (
            "relapsepreventionplan",
            course.pk,
            True,
        )
        assert "Sam" not in str(event.detail)

    def test_it_satisfies_the_rules_for_closing_as_completed(self, personas, course):
        assert COMPLETED_NO_PLAN in [r.message for r in check_close(course_snapshot(course), EndReason.COMPLETED)]
        relapse_prevention_plan_save(actor=personas.actor(personas.therapist_a), course=course, details=plan())
        assert check_close(course_snapshot(course), EndReason.COMPLETED) == ()

    def test_it_updates_the_plan(self, personas, course):
        actor = personas.actor(personas.therapist_a)
        relapse_prevention_plan_save(actor=actor, course=course, details=plan(agreed_on=None))
        relapse_prevention_plan_save(actor=actor, course=course, details=plan())
        assert RelapsePreventionPlan.objects.get().agreed_on == TODAY
        assert events()[-1].detail == {"course": course.pk, "created": False, "fields": ["agreed_on"]}

    @pytest.mark.parametrize(
        ("field", "message"),
        [
            ("warning_signs", termination.ERROR_WARNING_SIGNS),
            ("what_helps", termination.ERROR_WHAT_HELPS),
            ("people_to_turn_to", termination.ERROR_PEOPLE),
            ("if_symptoms_return", termination.ERROR_IF_SYMPTOMS_RETURN),
            ("emergency_contacts", termination.ERROR_EMERGENCY_CONTACTS),
        ],
    )
    def test_every_part_is_required(self, personas, course, field, message):
        with pytest.raises(ValidationError) as excinfo:
            relapse_prevention_plan_save(
                actor=personas.actor(personas.therapist_a), course=course, details=plan(**{field: "  \n "})
            )
        assert errors_of(excinfo) == {field: [message]}
        assert not RelapsePreventionPlan.objects.exists()
        assert not events()

    @pytest.mark.parametrize(
        ("agreed_on", "message"),
        [
            (TODAY + dt.timedelta(days=1), termination.ERROR_DATE_IN_FUTURE),
            (OPENED - dt.timedelta(days=1), BEFORE_COURSE),
        ],
    )
    def test_the_agreement_date_is_within_the_course(self, personas, course, agreed_on, message):
        with pytest.raises(ValidationError) as excinfo:
            relapse_prevention_plan_save(
                actor=personas.actor(personas.therapist_a), course=course, details=plan(agreed_on=agreed_on)
            )
        assert errors_of(excinfo) == {"agreed_on": [message]}

    def test_it_is_refused_early_in_the_middle_phase(self, personas, records):
        with pytest.raises(ValidationError) as excinfo:
            relapse_prevention_plan_save(
                actor=personas.actor(personas.therapist_a), course=records.course, details=plan()
            )
        assert excinfo.value.messages == [termination.ERROR_TOO_EARLY]
        assert not RelapsePreventionPlan.objects.exists()

    def test_it_is_refused_on_a_closed_course(self, personas, records):
        course = in_phase(records.course, Phase.CLOSED)
        with pytest.raises(ValidationError) as excinfo:
            relapse_prevention_plan_save(actor=personas.actor(personas.therapist_a), course=course, details=plan())
        assert excinfo.value.messages == [ERROR_NOT_OPEN]

    def test_a_colleague_may_not(self, personas, course):
        with pytest.raises(PermissionDenied):
            relapse_prevention_plan_save(actor=personas.actor(personas.therapist_a2), course=course, details=plan())
        assert not RelapsePreventionPlan.objects.exists()


class TestMaintenancePlanSave:
    @pytest.fixture
    def chosen(self, personas, course):
        termination_review_save(
            actor=personas.actor(personas.therapist_a), course=course, details=review(next_step="maintenance")
        )
        return course

    def test_it_creates_the_plan_and_audits_it(self, personas, chosen):
        saved = maintenance_plan_save(actor=personas.actor(personas.therapist_a), course=chosen, details=maintenance())
        assert (saved.frequency, saved.sessions_planned, saved.starts_on) == ("monthly", 6, dt.date(2027, 1, 5))
        event = events()[-1]
        assert (event.object_type, event.detail["course"], event.detail["created"]) == (
            "maintenanceplan",
            chosen.pk,
            True,
        )

    def test_a_continuation_contract_takes_a_plan_too(self, personas, course):
        actor = personas.actor(personas.therapist_a)
        termination_review_save(actor=actor, course=course, details=review(next_step="continuation"))
        maintenance_plan_save(actor=actor, course=course, details=maintenance(frequency="weekly", sessions_planned=4))
        assert MaintenancePlan.objects.get().frequency == "weekly"

    @pytest.mark.parametrize("next_step", [None, "", "referral", "none"])
    def test_it_needs_the_review_to_choose_further_sessions(self, personas, course, next_step):
        actor = personas.actor(personas.therapist_a)
        if next_step is not None:
            detail = "GP" if next_step == "referral" else ""
            termination_review_save(
                actor=actor, course=course, details=review(next_step=next_step, next_step_detail=detail)
            )
        with pytest.raises(ValidationError) as excinfo:
            maintenance_plan_save(actor=actor, course=course, details=maintenance())
        assert excinfo.value.messages == [termination.ERROR_MAINTENANCE_NOT_CHOSEN]
        assert not MaintenancePlan.objects.exists()

    @pytest.mark.parametrize("frequency", ["twice_weekly", "daily", ""])
    def test_it_offers_the_tested_frequencies_only(self, personas, chosen, frequency):
        with pytest.raises(ValidationError) as excinfo:
            maintenance_plan_save(
                actor=personas.actor(personas.therapist_a), course=chosen, details=maintenance(frequency=frequency)
            )
        assert errors_of(excinfo) == {"frequency": [termination.ERROR_MAINTENANCE_FREQUENCY]}

    @pytest.mark.parametrize("sessions", [None, 0, -1, 37])
    def test_it_plans_1_to_36_sessions(self, personas, chosen, sessions):
        with pytest.raises(ValidationError) as excinfo:
            maintenance_plan_save(
                actor=personas.actor(personas.therapist_a),
                course=chosen,
                details=maintenance(sessions_planned=sessions),
            )
        assert errors_of(excinfo) == {"sessions_planned": [termination.ERROR_MAINTENANCE_SESSIONS]}

    def test_36_sessions_is_three_years_monthly(self, personas, chosen):
        maintenance_plan_save(
            actor=personas.actor(personas.therapist_a), course=chosen, details=maintenance(sessions_planned=36)
        )
        assert MaintenancePlan.objects.get().sessions_planned == 36

    def test_it_needs_a_start_date_within_the_course(self, personas, chosen):
        actor = personas.actor(personas.therapist_a)
        with pytest.raises(ValidationError) as excinfo:
            maintenance_plan_save(actor=actor, course=chosen, details=maintenance(starts_on=None))
        assert errors_of(excinfo) == {"starts_on": [termination.ERROR_MAINTENANCE_START_REQUIRED]}
        with pytest.raises(ValidationError) as excinfo:
            maintenance_plan_save(
                actor=actor, course=chosen, details=maintenance(starts_on=OPENED - dt.timedelta(days=1))
            )
        assert errors_of(excinfo) == {"starts_on": [BEFORE_COURSE]}
        assert not MaintenancePlan.objects.exists()

    def test_it_is_refused_early_in_the_middle_phase(self, personas, records):
        with pytest.raises(ValidationError) as excinfo:
            maintenance_plan_save(
                actor=personas.actor(personas.therapist_a), course=records.course, details=maintenance()
            )
        assert excinfo.value.messages == [termination.ERROR_TOO_EARLY]

    def test_a_colleague_may_not(self, personas, chosen):
        with pytest.raises(PermissionDenied):
            maintenance_plan_save(actor=personas.actor(personas.therapist_a2), course=chosen, details=maintenance())
        assert not MaintenancePlan.objects.exists()


class TestMaintenancePlanDelete:
    @pytest.fixture
    def planned(self, personas, course):
        actor = personas.actor(personas.therapist_a)
        termination_review_save(actor=actor, course=course, details=review(next_step="maintenance"))
        return maintenance_plan_save(actor=actor, course=course, details=maintenance())

    def test_it_removes_the_plan_and_audits_it(self, personas, course, planned):
        maintenance_plan_delete(actor=personas.actor(personas.therapist_a), course=course)
        assert not MaintenancePlan.objects.exists()
        [event] = events(AuditAction.COURSE_RECORD_DELETED)
        assert (event.object_type, event.object_id, event.detail) == (
            "maintenanceplan",
            str(planned.pk),
            {"course": course.pk},
        )

    def test_there_must_be_a_plan(self, personas, course):
        with pytest.raises(ValidationError) as excinfo:
            maintenance_plan_delete(actor=personas.actor(personas.therapist_a), course=course)
        assert excinfo.value.messages == [termination.ERROR_NO_MAINTENANCE_PLAN]
        assert not events(AuditAction.COURSE_RECORD_DELETED)

    def test_it_stays_during_the_maintenance_phase(self, personas, course, planned):
        in_phase(course, Phase.MAINTENANCE)
        with pytest.raises(ValidationError) as excinfo:
            maintenance_plan_delete(actor=personas.actor(personas.therapist_a), course=course)
        assert excinfo.value.messages == [termination.ERROR_MAINTENANCE_RUNNING]
        assert MaintenancePlan.objects.exists()

    def test_it_stays_on_a_closed_course(self, personas, course, planned):
        in_phase(course, Phase.CLOSED)
        with pytest.raises(ValidationError) as excinfo:
            maintenance_plan_delete(actor=personas.actor(personas.therapist_a), course=course)
        assert excinfo.value.messages == [ERROR_NOT_OPEN]

    def test_a_colleague_may_not(self, personas, course, planned):
        with pytest.raises(PermissionDenied):
            maintenance_plan_delete(actor=personas.actor(personas.therapist_a2), course=course)
        assert MaintenancePlan.objects.exists()
