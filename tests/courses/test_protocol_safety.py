"""The protocol as an IPT trainer would check it, through the pages and the API (issue 10): the contract minimum per
adaptation, what the middle phase needs, the time-limited sick role, maintenance IPT for a client in remission, the
role-dispute strategies per stage and the wording per adaptation. The pure rules are tested in
tests/core/protocol/test_safety_rules.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from iptriad.core.protocol import Phase, protocol, rules
from iptriad.core.protocol import guide as guide_rules
from iptriad.courses.models import (
    Assessment,
    Course,
    Formulation,
    InventoryPerson,
    PhaseChange,
    ProblemAreaChoice,
    TreatmentContract,
)
from iptriad.courses.services.initial import ERROR_NO_SICK_ROLE, ERROR_SICK_ROLE_REVIEW_BEFORE_GIVEN
from tests.api.conftest import api_as, fields
from tests.conftest import logged_in
from tests.courses.factories import OPENED, full_course, make_course, termination_records

pytestmark = pytest.mark.django_db

CONTRACT_FORM = {
    "sessions_planned": "3",
    "frequency": "weekly",
    "session_minutes": "30",
    "starts_on": "2026-09-01",
    "planned_end_on": "",
    "missed_session_rule": "",
    "other_terms": "",
    "agreed_on": "",
}
CONTRACT_BODY = {"sessions_planned": 3, "frequency": "weekly", "session_minutes": 30, "starts_on": "2026-09-01"}


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def http(personas):
    return logged_in(personas.therapist_a)


@pytest.fixture
def api(personas):
    return api_as(personas.therapist_a, personas.org_a)


def url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


# 1. The contract minimum is per adaptation -------------------------------------------------------------------------


class TestContractMinimumPerAdaptation:
    @pytest.mark.parametrize("adaptation", ["ipc", "ipt_est"])
    def test_the_page_contracts_ipc_and_brief_ipt_from_3_sessions(self, personas, http, adaptation):
        course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL, adaptation=adaptation)
        page = http.get(url("course-middle-contract", course.pk)).content.decode()
        assert "A first contract plans 3 to 20 sessions." in page
        response = http.post(url("course-middle-contract", course.pk), CONTRACT_FORM)
        assert response.status_code == 302, response.content.decode()
        assert TreatmentContract.objects.get(course=course).sessions_planned == 3

    def test_the_page_refuses_2_sessions_for_ipc_saying_its_minimum(self, personas, http):
        course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL, adaptation="ipc")
        response = http.post(url("course-middle-contract", course.pk), {**CONTRACT_FORM, "sessions_planned": "2"})
        assert response.status_code == 400
        assert "Plan at least 3 sessions: a first contract of Interpersonal counselling (IPC) plans 3 or more" in (
            response.content.decode()
        )
        assert not TreatmentContract.objects.exists()

    def test_the_page_still_refuses_3_sessions_for_standard_ipt(self, personas, http):
        course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL)
        assert (
            "A first contract plans 6 to 20 sessions."
            in http.get(url("course-middle-contract", course.pk)).content.decode()
        )
        response = http.post(url("course-middle-contract", course.pk), CONTRACT_FORM)
        assert response.status_code == 400
        assert "Plan at least 6 sessions: a first contract of Standard IPT plans 6 or more" in response.content.decode()

    @pytest.mark.parametrize("adaptation", ["ipc", "ipt_est"])
    def test_the_api_contracts_ipc_and_brief_ipt_from_3_sessions(self, personas, api, adaptation):
        course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL, adaptation=adaptation)
        response = api.put(f"/courses/{course.pk}/contract", CONTRACT_BODY)
        assert response.status_code == 200, response.content
        assert response.json()["sessions_planned"] == 3

    @pytest.mark.parametrize(("adaptation", "sessions"), [("ipc", 2), ("standard", 3)])
    def test_the_api_refuses_below_the_adaptations_minimum_with_the_rules_message(
        self, personas, api, adaptation, sessions
    ):
        course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL, adaptation=adaptation)
        response = api.put(f"/courses/{course.pk}/contract", {**CONTRACT_BODY, "sessions_planned": sessions})
        assert response.status_code == 422
        assert fields(response) == {"sessions_planned": [rules.contract_too_short(protocol().adaptation(adaptation))]}
        assert not TreatmentContract.objects.exists()


# 2. The middle phase needs the inventory, a problem area and the suicide-risk assessment -------------------------


def initial_course(personas, *, risk: str = "no_risk", inventory: bool = True, area: bool = True) -> Course:
    """A course at the end of its initial phase, with the frame in place but for what the test leaves out."""
    course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL)
    org = course.organisation_id
    Assessment.objects.create(
        organisation_id=org, course=course, diagnosis_code="F32.1", suicide_risk_screen=risk, assessed_on=OPENED
    )
    if inventory:
        InventoryPerson.objects.create(organisation_id=org, course=course, name="Sam", relationship="partner")
    if area:
        ProblemAreaChoice.objects.create(organisation_id=org, course=course, area="grief", evidence="Since the death")
    Formulation.objects.create(organisation_id=org, course=course, text="Since your mother died.", agreed_on=OPENED)
    TreatmentContract.objects.create(
        organisation_id=org,
        course=course,
        sessions_planned=12,
        starts_on=OPENED,
        planned_end_on=OPENED + dt.timedelta(weeks=12),
        agreed_on=OPENED,
    )
    return course


MISSING = [
    ({"risk": ""}, [rules.NO_SUICIDE_RISK]),
    ({"inventory": False}, [rules.NO_INVENTORY]),
    ({"area": False}, [rules.NO_PROBLEM_AREA]),
    (
        {"risk": "", "inventory": False, "area": False},
        [rules.NO_SUICIDE_RISK, rules.NO_INVENTORY, rules.NO_PROBLEM_AREA],
    ),
]


class TestWhatTheMiddlePhaseNeeds:
    @pytest.mark.parametrize(("left_out", "expected"), MISSING)
    def test_the_api_refuses_with_422_naming_what_is_missing(self, personas, api, left_out, expected):
        course = initial_course(personas, **left_out)
        response = api.post(f"/courses/{course.pk}/phase", {"to_phase": "middle"})
        assert response.status_code == 422
        assert fields(response) == {None: expected}
        assert Course.objects.get(pk=course.pk).phase == Phase.INITIAL

    @pytest.mark.parametrize(("left_out", "expected"), MISSING)
    def test_the_page_lists_what_is_missing_and_refuses_the_change(self, personas, http, left_out, expected):
        course = initial_course(personas, **left_out)
        page = http.get(url("course-detail", course.pk)).content.decode()
        assert all(message in page for message in expected)
        answer = http.post(url("course-phase", course.pk), {"to_phase": "middle"}, follow=True).content.decode()
        assert all(message in answer for message in expected)
        assert Course.objects.get(pk=course.pk).phase == Phase.INITIAL

    def test_the_api_snapshot_says_whether_each_is_recorded(self, personas, api):
        course = initial_course(personas, risk="", inventory=False)
        snapshot = api.get(f"/courses/{course.pk}").json()["snapshot"]
        assert (snapshot["suicide_risk_recorded"], snapshot["has_inventory"]) == (False, False)

    @pytest.mark.parametrize("risk", ["no_risk", "low"])
    def test_with_all_three_recorded_the_middle_phase_starts(self, personas, api, risk):
        course = initial_course(personas, risk=risk)
        response = api.post(f"/courses/{course.pk}/phase", {"to_phase": "middle"})
        assert response.status_code == 200, response.content
        assert Course.objects.get(pk=course.pk).phase == Phase.MIDDLE


# 3. The sick role is time-limited ---------------------------------------------------------------------------------


def sick_role_given(personas, *, sessions_planned: int = 12) -> Course:
    """A course in its middle phase (session 2 next) whose client was given the sick role at the start."""
    course = full_course(personas.client_a, personas.therapist_a).course
    Assessment.objects.filter(course=course).update(sick_role_given_on=OPENED)
    TreatmentContract.objects.filter(course=course).update(sessions_planned=sessions_planned)
    return course


class TestTheSickRoleIsTimeLimited:
    def test_the_course_page_asks_to_review_it_as_the_client_improves(self, personas, http):
        course = sick_role_given(personas)
        page = http.get(url("course-detail", course.pk)).content.decode()
        assert guide_rules.SICK_ROLE_REVIEW in page
        assert guide_rules.SICK_ROLE_REVIEW_DUE not in page
        assert "time-limited: review it as the client improves" in page

    def test_at_the_midpoint_the_course_page_and_session_guide_ask_for_it_now(self, personas, http):
        course = sick_role_given(personas, sessions_planned=4)  # session 2 of 4 is the midpoint
        assert guide_rules.SICK_ROLE_REVIEW_DUE in http.get(url("course-detail", course.pk)).content.decode()
        assert guide_rules.SICK_ROLE_REVIEW_DUE in http.get(url("course-session-new", course.pk)).content.decode()

    def test_recording_the_review_on_the_assessment_makes_the_prompt_go(self, personas, http):
        course = sick_role_given(personas, sessions_planned=4)
        form = {"diagnosis_code": "F32.1", "sick_role_given_on": "2026-09-01", "sick_role_reviewed_on": "2026-11-20"}
        assert http.post(url("course-initial-assessment", course.pk), form).status_code == 302
        page = http.get(url("course-detail", course.pk)).content.decode()
        assert guide_rules.SICK_ROLE_REVIEW_DUE not in page
        assert guide_rules.SICK_ROLE_REVIEW not in page
        assert "reviewed and withdrawn 20 Nov 2026" in page

    def test_the_api_says_when_it_is_due_and_takes_the_review_date(self, personas, api):
        course = sick_role_given(personas, sessions_planned=4)
        guide = api.get(f"/courses/{course.pk}").json()["session_guide"]
        assert (guide["sick_role_review"], guide["sick_role_review_due"]) == (False, True)
        body = {"diagnosis_code": "F32.1", "sick_role_given_on": "2026-09-01", "sick_role_reviewed_on": "2026-11-20"}
        saved = api.put(f"/courses/{course.pk}/assessment", body)
        assert saved.status_code == 200, saved.content
        assert saved.json()["sick_role_reviewed_on"] == "2026-11-20"
        overview = api.get(f"/courses/{course.pk}").json()
        assert overview["snapshot"]["sick_role_reviewed"] is True
        assert overview["session_guide"]["sick_role_review_due"] is False

    @pytest.mark.parametrize("given_on", ["", "2026-11-21"])
    def test_a_review_before_the_sick_role_was_given_is_refused(self, personas, http, api, given_on):
        course = sick_role_given(personas)
        form = {"sick_role_given_on": given_on, "sick_role_reviewed_on": "2026-11-20"}
        refused = http.post(url("course-initial-assessment", course.pk), form)
        assert refused.status_code == 400
        assert ERROR_SICK_ROLE_REVIEW_BEFORE_GIVEN in refused.content.decode()
        body = {"sick_role_given_on": given_on or None, "sick_role_reviewed_on": "2026-11-20"}
        response = api.put(f"/courses/{course.pk}/assessment", body)
        assert fields(response) == {"sick_role_reviewed_on": [ERROR_SICK_ROLE_REVIEW_BEFORE_GIVEN]}
        assert Assessment.objects.get(course=course).sick_role_reviewed_on is None


# 4. Maintenance IPT starts as a maintenance course -----------------------------------------------------------------


class TestMaintenanceIptStartsInMaintenance:
    def test_the_page_opens_an_ipt_m_course_in_maintenance_with_no_acute_phase(self, personas, http):
        response = http.post(
            reverse("course-open", args=[personas.client_a.pk]),
            {"adaptation": "ipt_m", "opened_on": "2026-11-02", "therapist": personas.therapist_a.pk},
        )
        assert response.status_code == 302, response.content.decode()
        course = Course.objects.get(client=personas.client_a)
        assert course.phase == Phase.MAINTENANCE
        assert list(PhaseChange.objects.filter(course=course).values_list("from_phase", "to_phase")) == [
            ("", Phase.MAINTENANCE)
        ]
        page = http.get(url("course-detail", course.pk)).content.decode()
        assert "The course is open, in its continuation and maintenance phase." in page  # not "initial"
        assert protocol().phase(Phase.MAINTENANCE).task("maintenance.interpersonal_focus").text in page
        assert "Start the middle phase" not in page
        assert rules.NO_DIAGNOSIS not in page  # nothing of the initial phase stands in the way

    def test_the_api_opens_it_in_maintenance_with_a_monthly_contract_offered(self, personas, api, http):
        opened = api.post(f"/clients/{personas.client_a.pk}/courses", {"adaptation": "ipt_m"})
        assert opened.status_code == 201
        assert opened.json()["phase"] == "maintenance"
        detail = api.get(f"/courses/{opened.json()['id']}").json()
        assert (detail["next_phase"], detail["allowed_transitions"]) == (None, ["closed"])
        contract_page = http.get(url("course-middle-contract", opened.json()["id"])).content.decode()
        assert '<option value="monthly" selected>' in contract_page

    def test_sessions_of_an_ipt_m_course_are_maintenance_sessions(self, personas, api):
        course_id = api.post(f"/clients/{personas.client_a.pk}/courses", {"adaptation": "ipt_m"}).json()["id"]
        body = {**CONTRACT_BODY, "sessions_planned": 12, "frequency": "monthly", "session_minutes": 50}
        assert api.put(f"/courses/{course_id}/contract", {**body, "starts_on": "2026-11-26"}).status_code == 200
        session = {"held_on": "2026-11-26", "homework_review": "none_set", "risk_check": "no_concern"}
        recorded = api.post(f"/courses/{course_id}/sessions", session)
        assert recorded.status_code == 201, recorded.content
        assert recorded.json()["phase"] == "maintenance"

    def test_it_gives_no_sick_role(self, personas, http, api):
        course = make_course(personas.client_a, personas.therapist_a, phase=Phase.MAINTENANCE, adaptation="ipt_m")
        page = http.get(url("course-initial-assessment", course.pk)).content.decode()
        assert "gives no sick role" in page
        assert 'name="sick_role_given_on"' not in page
        response = api.put(f"/courses/{course.pk}/assessment", {"sick_role_given_on": "2026-11-02"})
        assert fields(response) == {"sick_role_given_on": [ERROR_NO_SICK_ROLE]}
        assert api.put(f"/courses/{course.pk}/assessment", {"diagnosis_code": "F33.4"}).status_code == 200
        assert "None in Maintenance IPT (IPT-M)" in http.get(url("course-detail", course.pk)).content.decode()


# 5. Role disputes get strategies for each stage --------------------------------------------------------------------


class TestDisputeStrategiesPerStage:
    def dispute(self, personas, stage: str) -> Course:
        course = full_course(personas.client_a, personas.therapist_a).course
        ProblemAreaChoice.objects.filter(course=course).update(area="role_dispute", dispute_stage=stage)
        return course

    @pytest.mark.parametrize("stage", ["renegotiation", "impasse", "dissolution"])
    def test_the_session_form_offers_the_recorded_stages_strategies_and_no_other_stages(self, personas, http, stage):
        course = self.dispute(personas, stage)
        page = http.get(url("course-session-new", course.pk)).content.decode()
        dispute = protocol().problem_area("role_dispute")
        for other in dispute.stages:
            for strategy in other.strategies:
                assert (f'value="{strategy.id}"' in page) is (other.stage == stage), strategy.id
        assert f'value="{dispute.strategies[0].id}"' in page  # "Stage the dispute" and the rest stay

    def test_a_session_records_a_stage_strategy_through_the_api_and_shows_it_by_name(self, personas, api, http):
        course = self.dispute(personas, "impasse")
        session = {
            "held_on": "2026-09-08",
            "homework_review": "none_set",
            "risk_check": "no_concern",
            "strategies": ["role_dispute.strategy.impasse_assert"],
        }
        recorded = api.post(f"/courses/{course.pk}/sessions", session)
        assert recorded.status_code == 201, recorded.content
        page = http.get(reverse("course-session-detail", args=[recorded.json()["id"]])).content.decode()
        assert "At impasse: help the client assert themselves" in page

    def test_the_problem_area_guidance_lists_each_stages_strategies(self, personas, http):
        course = self.dispute(personas, "impasse")
        page = http.get(url("course-middle-areas", course.pk)).content.decode()
        for stage in protocol().problem_area("role_dispute").stages:
            assert all(strategy.text in page for strategy in stage.strategies), stage.stage


# 6. Phase wording fits the adaptation ------------------------------------------------------------------------------


class TestWordingPerAdaptation:
    def test_the_course_page_words_the_initial_phase_for_bulimia(self, personas, http):
        course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL, adaptation="ipt_bn")
        page = http.get(url("course-detail", course.pk)).content.decode()
        assert "give the diagnosis plainly: bulimia is a recognisable, treatable illness" in page
        assert "how depression affects" not in page

    def test_the_api_words_the_tasks_for_bipolar_disorder(self, personas, api):
        course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL, adaptation="ipsrt")
        tasks = api.get(f"/courses/{course.pk}").json()["tasks"]
        assert any("how bipolar disorder affects relationships" in task["text"] for task in tasks)
        assert not any("depression" in task["text"] for task in tasks)

    @pytest.mark.parametrize(("adaptation", "condition"), [("standard", "depression"), ("ipt_bn", "bulimia")])
    def test_the_clients_printed_plan_names_the_illness_of_the_adaptation(self, personas, http, adaptation, condition):
        course = full_course(personas.client_a, personas.therapist_a).course
        Course.objects.filter(pk=course.pk).update(adaptation=adaptation)
        termination_records(course)
        page = http.get(url("course-termination-plan-print", course.pk)).content.decode()
        assert f"Signs that my {condition} may be coming back" in page
        assert f"It does not mean the {condition} is back." in page
