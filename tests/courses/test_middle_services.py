"""The focus services: problem areas and goals, the formulation and the treatment contract."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import Phase, protocol, rules
from iptriad.courses.models import (
    Course,
    CourseSession,
    Formulation,
    Goal,
    ProblemAreaChoice,
    TreatmentContract,
)
from iptriad.courses.selectors.middle import contract_planned_end
from iptriad.courses.services import course as course_services
from iptriad.courses.services import middle
from iptriad.courses.services.middle import (
    ContractTerms,
    contract_save,
    formulation_needs_new_agreement,
    formulation_save,
    goal_add,
    goal_remove,
    goal_update,
    problem_area_choose,
    problem_area_end,
    problem_area_remove,
    problem_area_update,
)
from tests.courses.factories import OPENED, full_course, make_course, occasion_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
EVIDENCE = "Low mood began weeks after her mother died; she avoids talking about it."


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def initial(personas) -> Course:
    """A course of client A in its initial phase, with nothing recorded yet."""
    return make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL)


@pytest.fixture
def therapist(personas):
    return personas.actor(personas.therapist_a)


def messages_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def saved_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.COURSE_RECORD_SAVED).order_by("pk"))


def choose(actor: Actor, course: Course, area: str = "grief", **changes: Any) -> ProblemAreaChoice:
    values = {"evidence": EVIDENCE, **changes}
    return problem_area_choose(actor=actor, course=course, area=area, **values)


def state() -> tuple[int, ...]:
    """Everything the focus services write, counted: a refusal must leave it as it was."""
    return (
        ProblemAreaChoice.objects.count(),
        ProblemAreaChoice.objects.filter(active=True).count(),
        Goal.objects.count(),
        Formulation.objects.count(),
        TreatmentContract.objects.count(),
        AuditEvent.objects.filter(
            action__in=[AuditAction.COURSE_RECORD_SAVED, AuditAction.COURSE_RECORD_DELETED]
        ).count(),
    )


class TestProblemAreaChoose:
    def test_it_records_the_area_with_its_evidence_and_audits_field_names_only(self, initial, therapist):
        choice = choose(therapist, initial, dispute_stage="", chosen_on=dt.date(2026, 11, 20))
        assert (choice.area, choice.evidence, choice.active, choice.chosen_on) == (
            "grief",
            EVIDENCE,
            True,
            dt.date(2026, 11, 20),
        )
        (event,) = saved_events()
        assert (event.object_type, event.object_id) == ("problemareachoice", str(choice.pk))
        assert event.detail == {"course": initial.pk, "fields": ["area", "evidence", "dispute_stage", "chosen_on"]}

    def test_it_dates_the_choice_today_by_default(self, initial, therapist):
        assert choose(therapist, initial).chosen_on == TODAY

    def test_a_role_dispute_records_its_stage(self, initial, therapist):
        choice = choose(therapist, initial, area="role_dispute", dispute_stage="impasse")
        assert choice.dispute_stage == "impasse"

    def test_a_role_dispute_may_wait_for_its_stage(self, initial, therapist):
        assert choose(therapist, initial, area="role_dispute").dispute_stage == ""

    def test_two_areas_are_allowed(self, initial, therapist):
        choose(therapist, initial, area="grief")
        choose(therapist, initial, area="role_transition")
        assert ProblemAreaChoice.objects.filter(course=initial, active=True).count() == 2

    @pytest.mark.parametrize(
        ("existing", "area", "message"),
        [
            (["grief", "role_transition"], "role_dispute", rules.TOO_MANY_PROBLEM_AREAS),
            (["grief"], "grief", rules.DUPLICATE_PROBLEM_AREA),
            (["grief"], "interpersonal_deficits", rules.DEFICITS_WITH_ANOTHER_AREA),
            (["interpersonal_deficits"], "role_dispute", rules.DEFICITS_WITH_ANOTHER_AREA),
        ],
    )
    def test_it_refuses_what_the_protocol_refuses(self, initial, therapist, existing, area, message):
        for code in existing:
            choose(therapist, initial, area=code, deficits_confirmed=True)
        before = state()
        with pytest.raises(ValidationError) as excinfo:
            choose(therapist, initial, area=area, deficits_confirmed=True)
        assert message in messages_of(excinfo)["area"][0]
        assert state() == before

    def test_interpersonal_deficits_need_the_confirmation_that_no_other_area_applies(self, initial, therapist):
        with pytest.raises(ValidationError) as excinfo:
            choose(therapist, initial, area="interpersonal_deficits")
        assert messages_of(excinfo) == {"deficits_confirmed": [middle.ERROR_DEFICITS_NOT_CONFIRMED]}
        assert choose(therapist, initial, area="interpersonal_deficits", deficits_confirmed=True).active

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"area": "loss"}, "area", middle.ERROR_UNKNOWN_AREA),
            ({"evidence": "  \n "}, "evidence", middle.ERROR_NO_EVIDENCE),
            ({"dispute_stage": "impasse"}, "dispute_stage", middle.ERROR_STAGE_NOT_DISPUTE),
            ({"area": "role_dispute", "dispute_stage": "truce"}, "dispute_stage", middle.ERROR_UNKNOWN_STAGE),
            ({"chosen_on": TODAY + dt.timedelta(days=1)}, "chosen_on", middle.ERROR_DATE_IN_FUTURE),
            ({"chosen_on": OPENED - dt.timedelta(days=1)}, "chosen_on", middle.ERROR_DATE_BEFORE_COURSE),
        ],
    )
    def test_it_refuses_bad_input_and_writes_nothing(self, initial, therapist, changes, field, message):
        before = state()
        with pytest.raises(ValidationError) as excinfo:
            choose(therapist, initial, **changes)
        assert messages_of(excinfo) == {field: [message]}
        assert state() == before

    def test_an_ended_area_can_be_chosen_again(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        problem_area_end(actor=therapist, choice=records.problem_area, end_note="Moved on to the dispute")
        again = choose(therapist, records.course, area="role_transition")
        assert again.active
        assert ProblemAreaChoice.objects.filter(course=records.course, area="role_transition").count() == 2

    def test_a_closed_course_takes_no_new_area(self, initial, therapist):
        Course.objects.filter(pk=initial.pk).update(phase=Phase.CLOSED, closed_on=TODAY, end_reason="moved")
        with pytest.raises(ValidationError) as excinfo:
            choose(therapist, initial)
        assert excinfo.value.messages == [course_services.ERROR_NOT_OPEN]

    @pytest.mark.parametrize("who", ["therapist_a2", "facilitator_a", "admin_a"])
    def test_only_the_courses_clinicians_may_choose(self, personas, initial, who):
        with pytest.raises(PermissionDenied):
            choose(personas.actor(getattr(personas, who)), initial)
        assert ProblemAreaChoice.objects.count() == 0

    def test_another_organisations_therapist_may_not_choose(self, personas, initial):
        with pytest.raises(PermissionDenied):
            choose(personas.actor(personas.therapist_b, personas.org_b), initial)

    def test_a_supervisor_may_choose(self, personas, initial):
        assert choose(personas.actor(personas.supervisor_a), initial).active


class TestProblemAreaUpdate:
    def test_it_edits_the_evidence_and_the_stage_and_audits_the_fields_changed(self, initial, therapist):
        choice = choose(therapist, initial, area="role_dispute")
        problem_area_update(actor=therapist, choice=choice, evidence=EVIDENCE, dispute_stage="renegotiation")
        choice.refresh_from_db()
        assert choice.dispute_stage == "renegotiation"
        assert saved_events()[-1].detail == {"course": initial.pk, "fields": ["dispute_stage"]}

    def test_saving_nothing_new_writes_nothing(self, initial, therapist):
        choice = choose(therapist, initial)
        before = state()
        problem_area_update(actor=therapist, choice=choice, evidence=f"  {EVIDENCE} ")
        assert state() == before

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"evidence": ""}, "evidence", middle.ERROR_NO_EVIDENCE),
            ({"dispute_stage": "dissolution"}, "dispute_stage", middle.ERROR_STAGE_NOT_DISPUTE),
        ],
    )
    def test_it_refuses_bad_input(self, initial, therapist, changes, field, message):
        choice = choose(therapist, initial)
        with pytest.raises(ValidationError) as excinfo:
            problem_area_update(actor=therapist, choice=choice, **{"evidence": EVIDENCE, **changes})
        assert messages_of(excinfo) == {field: [message]}

    def test_an_ended_area_is_kept_as_it_was(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        problem_area_end(actor=therapist, choice=records.problem_area, end_note="Resolved")
        with pytest.raises(ValidationError) as excinfo:
            problem_area_update(actor=therapist, choice=records.problem_area, evidence="New")
        assert excinfo.value.messages == [middle.ERROR_AREA_ENDED]

    def test_a_colleague_may_not_edit(self, personas, initial, therapist):
        choice = choose(therapist, initial)
        with pytest.raises(PermissionDenied):
            problem_area_update(actor=personas.actor(personas.therapist_a2), choice=choice, evidence="Mine now")


class TestProblemAreaEnd:
    def test_after_the_middle_phase_started_an_area_ends_with_a_dated_note_and_keeps_its_goals(
        self, personas, therapist
    ):
        records = full_course(personas.client_a, personas.therapist_a)
        problem_area_end(
            actor=therapist, choice=records.problem_area, end_note="  Agreed to work on the dispute  ", ended_on=TODAY
        )
        choice = ProblemAreaChoice.objects.get(pk=records.problem_area.pk)
        assert (choice.active, choice.ended_on, choice.end_note) == (False, TODAY, "Agreed to work on the dispute")
        assert Goal.objects.filter(problem_area=choice).count() == 1
        assert saved_events()[-1].detail == {"course": records.course.pk, "fields": ["active", "ended_on", "end_note"]}

    def test_before_the_middle_phase_an_area_is_removed_not_ended(self, initial, therapist):
        choice = choose(therapist, initial)
        with pytest.raises(ValidationError) as excinfo:
            problem_area_end(actor=therapist, choice=choice, end_note="Changed my mind")
        assert excinfo.value.messages == [middle.ERROR_END_BEFORE_MIDDLE]
        assert ProblemAreaChoice.objects.get(pk=choice.pk).active

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"end_note": " "}, "end_note", middle.ERROR_NO_END_NOTE),
            ({"ended_on": TODAY + dt.timedelta(days=1)}, "ended_on", middle.ERROR_DATE_IN_FUTURE),
            ({"ended_on": TODAY - dt.timedelta(days=1)}, "ended_on", middle.ERROR_ENDED_BEFORE_CHOSEN),
        ],
    )
    def test_it_refuses_bad_input_and_writes_nothing(self, personas, therapist, changes, field, message):
        records = full_course(personas.client_a, personas.therapist_a)  # chosen today (the model's default)
        before = state()
        with pytest.raises(ValidationError) as excinfo:
            problem_area_end(actor=therapist, choice=records.problem_area, **{"end_note": "Resolved", **changes})
        assert messages_of(excinfo) == {field: [message]}
        assert state() == before

    def test_an_area_ends_once(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        problem_area_end(actor=therapist, choice=records.problem_area, end_note="Resolved")
        with pytest.raises(ValidationError) as excinfo:
            problem_area_end(actor=therapist, choice=records.problem_area, end_note="Again")
        assert excinfo.value.messages == [middle.ERROR_AREA_ENDED]


class TestProblemAreaRemove:
    def test_before_the_middle_phase_an_area_and_its_goals_are_removed_and_audited(self, initial, therapist):
        choice = choose(therapist, initial)
        choice_id = choice.pk
        goal_add(actor=therapist, problem_area=choice, text="Talk about mum with Dee")
        problem_area_remove(actor=therapist, choice=choice)
        assert (ProblemAreaChoice.objects.count(), Goal.objects.count()) == (0, 0)
        event = AuditEvent.objects.get(action=AuditAction.COURSE_RECORD_DELETED)
        assert (event.object_type, event.object_id) == ("problemareachoice", str(choice_id))
        assert event.detail == {"course": initial.pk, "problem_area": choice_id, "goals": 1}

    def test_after_the_middle_phase_started_an_area_is_never_removed(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        before = state()
        with pytest.raises(ValidationError) as excinfo:
            problem_area_remove(actor=therapist, choice=records.problem_area)
        assert excinfo.value.messages == [middle.ERROR_REMOVE_AFTER_MIDDLE]
        assert state() == before

    def test_a_colleague_may_not_remove(self, personas, initial, therapist):
        choice = choose(therapist, initial)
        with pytest.raises(PermissionDenied):
            problem_area_remove(actor=personas.actor(personas.therapist_a2), choice=choice)
        assert ProblemAreaChoice.objects.count() == 1


class TestGoals:
    def test_a_goal_is_added_to_an_active_area_and_audited(self, initial, therapist):
        choice = choose(therapist, initial)
        goal = goal_add(actor=therapist, problem_area=choice, text="  Visit the grave with Dee  ")
        assert (goal.text, goal.status, goal.course_id) == ("Visit the grave with Dee", "not_started", initial.pk)
        assert saved_events()[-1].detail == {
            "course": initial.pk,
            "problem_area": choice.pk,
            "fields": ["text", "status", "status_note"],
        }

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"text": ""}, "text", middle.ERROR_NO_GOAL_TEXT),
            ({"status": "done"}, "status", middle.ERROR_UNKNOWN_STATUS),
        ],
    )
    def test_a_goal_needs_text_and_a_known_status(self, initial, therapist, changes, field, message):
        choice = choose(therapist, initial)
        before = state()
        with pytest.raises(ValidationError) as excinfo:
            goal_add(actor=therapist, problem_area=choice, **{"text": "Call Dee weekly", **changes})
        assert messages_of(excinfo) == {field: [message]}
        assert state() == before

    def test_an_ended_area_takes_no_new_goal(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        problem_area_end(actor=therapist, choice=records.problem_area, end_note="Resolved")
        with pytest.raises(ValidationError) as excinfo:
            goal_add(actor=therapist, problem_area=records.problem_area, text="Late goal")
        assert excinfo.value.messages == [middle.ERROR_GOAL_AREA_ENDED]

    def test_a_goal_takes_a_status_with_a_note_even_after_its_area_ended(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        problem_area_end(actor=therapist, choice=records.problem_area, end_note="Resolved")
        goal_update(
            actor=therapist, goal=records.goal, text=records.goal.text, status="partly", status_note="Two new friends"
        )
        goal = Goal.objects.get(pk=records.goal.pk)
        assert (goal.status, goal.status_note) == ("partly", "Two new friends")
        assert saved_events()[-1].detail["fields"] == ["status", "status_note"]

    def test_an_unchanged_goal_writes_nothing(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        before = state()
        goal_update(actor=therapist, goal=records.goal, text=records.goal.text, status="not_started")
        assert state() == before

    def test_a_goal_edit_is_refused_with_a_message(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        with pytest.raises(ValidationError) as excinfo:
            goal_update(actor=therapist, goal=records.goal, text="", status="achieved")
        assert messages_of(excinfo) == {"text": [middle.ERROR_NO_GOAL_TEXT]}

    def test_before_the_middle_phase_a_goal_can_be_removed(self, initial, therapist):
        goal = goal_add(actor=therapist, problem_area=choose(therapist, initial), text="Call Dee")
        goal_remove(actor=therapist, goal=goal)
        assert Goal.objects.count() == 0
        assert AuditEvent.objects.filter(action=AuditAction.COURSE_RECORD_DELETED, object_type="goal").exists()

    def test_after_the_middle_phase_started_a_goal_keeps_its_record(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        with pytest.raises(ValidationError) as excinfo:
            goal_remove(actor=therapist, goal=records.goal)
        assert excinfo.value.messages == [middle.ERROR_GOAL_REMOVE_AFTER_MIDDLE]
        assert Goal.objects.filter(pk=records.goal.pk).exists()

    def test_a_colleague_may_not_touch_goals(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        colleague = personas.actor(personas.therapist_a2)
        with pytest.raises(PermissionDenied):
            goal_add(actor=colleague, problem_area=records.problem_area, text="Mine")
        with pytest.raises(PermissionDenied):
            goal_update(actor=colleague, goal=records.goal, text="Mine", status="achieved")


class TestFormulation:
    def test_it_writes_the_formulation_with_its_dates_and_audits_field_names(self, initial, therapist):
        formulation = formulation_save(
            actor=therapist, course=initial, text="Your depression began after...\r\n\r\nMore", shared_on=TODAY
        )
        assert (formulation.text, formulation.shared_on, formulation.agreed_on) == (
            "Your depression began after...\n\nMore",
            TODAY,
            None,
        )
        assert saved_events()[-1].detail == {"course": initial.pk, "fields": ["text", "shared_on", "agreed_on"]}

    def test_shared_and_agreed_can_be_set_at_once(self, initial, therapist):
        formulation = formulation_save(actor=therapist, course=initial, text="Text", shared_on=TODAY, agreed_on=TODAY)
        assert formulation.agreed_on == TODAY

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"text": " \r\n "}, "text", middle.ERROR_NO_FORMULATION_TEXT),
            ({"shared_on": TODAY + dt.timedelta(days=1)}, "shared_on", middle.ERROR_DATE_IN_FUTURE),
            ({"shared_on": OPENED - dt.timedelta(days=1)}, "shared_on", middle.ERROR_DATE_BEFORE_COURSE),
            ({"shared_on": None, "agreed_on": TODAY}, "agreed_on", middle.ERROR_AGREED_NOT_SHARED),
            ({"agreed_on": TODAY - dt.timedelta(days=2)}, "agreed_on", middle.ERROR_AGREED_BEFORE_SHARED),
            ({"agreed_on": TODAY + dt.timedelta(days=1)}, "agreed_on", middle.ERROR_DATE_IN_FUTURE),
        ],
    )
    def test_it_refuses_bad_input_and_writes_nothing(self, initial, therapist, changes, field, message):
        values = {"text": "Text", "shared_on": TODAY - dt.timedelta(days=1), "agreed_on": None, **changes}
        before = state()
        with pytest.raises(ValidationError) as excinfo:
            formulation_save(actor=therapist, course=initial, **values)
        assert messages_of(excinfo) == {field: [message]}
        assert state() == before

    def test_editing_the_text_after_agreement_keeps_the_agreement(self, initial, therapist):
        formulation_save(actor=therapist, course=initial, text="First", shared_on=TODAY, agreed_on=TODAY)
        previous = Formulation.objects.get(course=initial)
        assert formulation_needs_new_agreement(previous, text="Second", agreed_on=TODAY)
        formulation_save(actor=therapist, course=initial, text="Second", shared_on=TODAY, agreed_on=TODAY)
        formulation = Formulation.objects.get(course=initial)
        assert (formulation.text, formulation.agreed_on) == ("Second", TODAY)
        assert saved_events()[-1].detail["fields"] == ["text"]

    def test_a_new_agreement_is_needed_only_when_agreed_words_change_without_a_new_date(self, initial, therapist):
        yesterday = TODAY - dt.timedelta(days=1)
        assert not formulation_needs_new_agreement(None, text="Any", agreed_on=None)
        formulation_save(actor=therapist, course=initial, text="First", shared_on=yesterday)
        unagreed = Formulation.objects.get(course=initial)
        assert not formulation_needs_new_agreement(unagreed, text="Second", agreed_on=None)
        formulation_save(actor=therapist, course=initial, text="First", shared_on=yesterday, agreed_on=yesterday)
        agreed = Formulation.objects.get(course=initial)
        assert not formulation_needs_new_agreement(agreed, text="First\r\n", agreed_on=yesterday)
        assert not formulation_needs_new_agreement(agreed, text="Second", agreed_on=TODAY)
        assert formulation_needs_new_agreement(agreed, text="Second", agreed_on=yesterday)

    def test_saving_the_same_formulation_writes_nothing(self, initial, therapist):
        formulation_save(actor=therapist, course=initial, text="Text")
        before = state()
        formulation_save(actor=therapist, course=initial, text="Text\r\n")
        assert state() == before

    def test_a_colleague_may_not_write_it(self, personas, initial):
        with pytest.raises(PermissionDenied):
            formulation_save(actor=personas.actor(personas.therapist_a2), course=initial, text="Text")


def terms(**changes: object) -> ContractTerms:
    base = ContractTerms(
        sessions_planned=16,
        frequency="weekly",
        session_minutes=50,
        starts_on=OPENED,
        planned_end_on=None,
        missed_session_rule="  Let me know a day before; a missed session is not made up.  ",
        other_terms="",
        agreed_on=None,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


class TestContractPlannedEnd:
    @pytest.mark.parametrize(
        ("frequency", "sessions", "end"),
        [
            ("weekly", 16, dt.date(2026, 12, 15)),
            ("weekly", 1, OPENED),
            ("twice_weekly", 2, dt.date(2026, 9, 4)),
            ("twice_weekly", 3, dt.date(2026, 9, 8)),
            ("fortnightly", 6, dt.date(2026, 11, 10)),
            ("monthly", 12, dt.date(2027, 8, 1)),
        ],
    )
    def test_it_is_the_date_of_the_last_session(self, frequency, sessions, end):
        assert contract_planned_end(OPENED, sessions, frequency) == end

    def test_a_monthly_session_on_the_31st_moves_to_the_end_of_a_shorter_month(self):
        assert contract_planned_end(dt.date(2027, 1, 31), 2, "monthly") == dt.date(2027, 2, 28)


class TestContract:
    def test_it_writes_the_contract_and_works_out_the_planned_end(self, initial, therapist):
        contract = contract_save(actor=therapist, course=initial, terms=terms())
        assert contract.planned_end_on == dt.date(2026, 12, 15)
        assert contract.missed_session_rule == "Let me know a day before; a missed session is not made up."
        assert (contract.renegotiated, contract.renegotiation_note) == (False, "")
        assert saved_events()[-1].detail == {
            "course": initial.pk,
            "fields": [
                "sessions_planned",
                "frequency",
                "session_minutes",
                "starts_on",
                "planned_end_on",
                "missed_session_rule",
                "other_terms",
                "agreed_on",
            ],
            "renegotiated": False,
        }

    def test_a_planned_end_given_is_kept(self, initial, therapist):
        contract = contract_save(actor=therapist, course=initial, terms=terms(planned_end_on=dt.date(2027, 1, 5)))
        assert contract.planned_end_on == dt.date(2027, 1, 5)

    @pytest.mark.parametrize(
        ("changes", "field", "message"),
        [
            ({"sessions_planned": 5}, "sessions_planned", rules.contract_too_short(protocol().adaptation("standard"))),
            ({"sessions_planned": 21}, "sessions_planned", rules.CONTRACT_TOO_LONG),
            ({"sessions_planned": 0}, "sessions_planned", rules.NO_SESSIONS),
            ({"frequency": "daily"}, "frequency", middle.ERROR_UNKNOWN_FREQUENCY),
            ({"session_minutes": 9}, "session_minutes", middle.ERROR_SESSION_MINUTES),
            ({"session_minutes": 181}, "session_minutes", middle.ERROR_SESSION_MINUTES),
            ({"planned_end_on": OPENED - dt.timedelta(days=1)}, "planned_end_on", middle.ERROR_END_BEFORE_START),
            ({"agreed_on": TODAY + dt.timedelta(days=1)}, "agreed_on", middle.ERROR_DATE_IN_FUTURE),
        ],
    )
    def test_it_refuses_bad_terms_and_writes_nothing(self, initial, therapist, changes, field, message):
        before = state()
        with pytest.raises(ValidationError) as excinfo:
            contract_save(actor=therapist, course=initial, terms=terms(**changes))
        assert messages_of(excinfo) == {field: [message]}
        assert state() == before

    def test_before_agreement_the_contract_changes_freely(self, initial, therapist):
        contract_save(actor=therapist, course=initial, terms=terms())
        contract = contract_save(actor=therapist, course=initial, terms=terms(sessions_planned=12, agreed_on=TODAY))
        assert (contract.sessions_planned, contract.agreed_on, contract.renegotiated) == (12, TODAY, False)

    def test_once_agreed_a_change_needs_a_renegotiation_note(self, initial, therapist):
        contract_save(actor=therapist, course=initial, terms=terms(agreed_on=TODAY))
        before = state()
        with pytest.raises(ValidationError) as excinfo:
            contract_save(actor=therapist, course=initial, terms=terms(sessions_planned=20, agreed_on=TODAY))
        assert messages_of(excinfo) == {"renegotiation_note": [middle.ERROR_NO_RENEGOTIATION_NOTE]}
        assert state() == before

    def test_a_renegotiation_keeps_an_agreement_date(self, initial, therapist):
        contract_save(actor=therapist, course=initial, terms=terms(agreed_on=TODAY))
        with pytest.raises(ValidationError) as excinfo:
            contract_save(actor=therapist, course=initial, terms=terms(agreed_on=None), renegotiation_note="Undo")
        assert messages_of(excinfo) == {"agreed_on": [middle.ERROR_RENEGOTIATED_NOT_AGREED]}

    def test_a_renegotiation_is_marked_and_its_notes_are_kept_dated_in_order(self, initial, therapist, time_machine):
        contract_save(actor=therapist, course=initial, terms=terms(agreed_on=dt.date(2026, 11, 1)))
        contract_save(
            actor=therapist,
            course=initial,
            terms=terms(sessions_planned=20, agreed_on=TODAY),
            renegotiation_note="More",
        )
        time_machine.move_to(dt.datetime(2026, 12, 3, 12, tzinfo=dt.UTC))
        contract = contract_save(
            actor=therapist,
            course=initial,
            terms=terms(sessions_planned=24, agreed_on=dt.date(2026, 12, 3)),
            renegotiation_note="  Four maintenance sessions  ",
        )
        assert contract.renegotiated
        assert contract.renegotiation_note == "2026-11-26: More\n\n2026-12-03: Four maintenance sessions"
        detail = saved_events()[-1].detail
        assert detail["renegotiated"] is True
        assert detail["fields"] == [
            "sessions_planned",
            "planned_end_on",
            "agreed_on",
            "renegotiated",
            "renegotiation_note",
        ]

    def test_a_renegotiation_may_shorten_the_course_but_not_below_the_sessions_held(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)  # agreed, 1 session held
        for number in (2, 3, 4, 5):
            CourseSession.objects.create(
                organisation=personas.org_a,
                course=records.course,
                occasion=occasion_for(records.course),
                number=number,
                held_on=OPENED,
                phase=Phase.MIDDLE,
                recorded_by=personas.therapist_a,
            )
        shorter = terms(sessions_planned=5, agreed_on=TODAY)
        assert contract_save(actor=therapist, course=records.course, terms=shorter, renegotiation_note="Moving").pk
        with pytest.raises(ValidationError) as excinfo:
            contract_save(
                actor=therapist,
                course=records.course,
                terms=terms(sessions_planned=4, agreed_on=TODAY),
                renegotiation_note="Even shorter",
            )
        assert messages_of(excinfo) == {"sessions_planned": [rules.FEWER_THAN_HELD]}

    def test_a_renegotiation_may_go_beyond_twenty_sessions_but_not_fifty_six(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        course = records.course
        extended = contract_save(
            actor=therapist, course=course, terms=terms(sessions_planned=56, agreed_on=TODAY), renegotiation_note="M"
        )
        assert extended.sessions_planned == 56
        with pytest.raises(ValidationError) as excinfo:
            contract_save(
                actor=therapist,
                course=course,
                terms=terms(sessions_planned=57, agreed_on=TODAY),
                renegotiation_note="M",
            )
        assert messages_of(excinfo) == {"sessions_planned": [rules.RENEGOTIATED_TOO_LONG]}

    def test_saving_the_same_terms_writes_nothing_and_needs_no_note(self, initial, therapist):
        contract_save(actor=therapist, course=initial, terms=terms(agreed_on=TODAY))
        before = state()
        contract_save(actor=therapist, course=initial, terms=terms(agreed_on=TODAY))
        assert state() == before

    def test_a_closed_course_keeps_its_contract(self, personas, therapist):
        records = full_course(personas.client_a, personas.therapist_a)
        Course.objects.filter(pk=records.course.pk).update(phase=Phase.CLOSED, closed_on=TODAY, end_reason="moved")
        with pytest.raises(ValidationError) as excinfo:
            contract_save(actor=therapist, course=records.course, terms=terms(), renegotiation_note="Late")
        assert excinfo.value.messages == [course_services.ERROR_NOT_OPEN]

    @pytest.mark.parametrize("who", ["therapist_a2", "facilitator_a", "admin_a"])
    def test_only_the_courses_clinicians_may_write_it(self, personas, initial, who):
        with pytest.raises(PermissionDenied):
            contract_save(actor=personas.actor(getattr(personas, who)), course=initial, terms=terms())
        assert TreatmentContract.objects.count() == 0
