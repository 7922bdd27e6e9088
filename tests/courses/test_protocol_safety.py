"""The protocol as an IPT trainer would check it, through the pages and the API (issue 10): the contract minimum per
adaptation, what the middle phase needs, the time-limited sick role, maintenance IPT for a client in remission, the
role-dispute strategies per stage and the wording per adaptation. The pure rules are tested in
tests/core/protocol/test_safety_rules.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from iptriad.core.protocol import Phase, protocol, rules
from iptriad.courses.models import (
    Assessment,
    Course,
    Formulation,
    InventoryPerson,
    ProblemAreaChoice,
    TreatmentContract,
)
from tests.api.conftest import api_as, fields
from tests.conftest import logged_in
from tests.courses.factories import OPENED, make_course

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
