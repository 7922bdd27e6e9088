"""The protocol as an IPT trainer would check it, through the pages and the API (issue 10): the contract minimum per
adaptation, what the middle phase needs, the time-limited sick role, maintenance IPT for a client in remission, the
role-dispute strategies per stage and the wording per adaptation. The pure rules are tested in
tests/core/protocol/test_safety_rules.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from iptriad.core.protocol import Phase, protocol, rules
from iptriad.courses.models import TreatmentContract
from tests.api.conftest import api_as, fields
from tests.conftest import logged_in
from tests.courses.factories import make_course

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
