"""Dates that make no sense and time zones that are no place are refused, over HTTP (issue 16, item 5).

A contract agreed on 0001-01-01, a contract or maintenance plan ending or starting on 9999-12-31, a diary week
before the client was born, an organisation in the time zone `localtime`: each was stored as sent.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from iptriad.accounts.models import Organisation
from iptriad.courses.models import MaintenancePlan, TreatmentContract
from tests.api.conftest import api_as, fields
from tests.conftest import logged_in
from tests.courses.factories import CourseRecords, full_course

pytestmark = pytest.mark.django_db

CONTRACT = {"sessions_planned": 12, "frequency": "weekly", "session_minutes": 50, "starts_on": "2026-09-01"}


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def records(personas) -> CourseRecords:
    course = full_course(personas.client_a, personas.therapist_a)
    course.course.contract.delete()  # a contract not yet written: its dates are the ones sent
    return course


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"agreed_on": "0001-01-01"}, "agreed_on"),
        ({"agreed_on": "2026-08-31"}, "agreed_on"),  # the day before the course opened
        ({"planned_end_on": "9999-12-31"}, "planned_end_on"),
    ],
)
def test_the_api_refuses_a_contract_date_outside_the_course(personas, records, body, field):
    api = api_as(personas.therapist_a, personas.org_a)
    response = api.put(f"/courses/{records.course.pk}/contract", {**CONTRACT, **body})
    assert response.status_code == 422
    assert list(fields(response)) == [field]
    assert not TreatmentContract.objects.filter(course=records.course).exists()
    assert api.put(f"/courses/{records.course.pk}/contract", CONTRACT).status_code == 200


def test_the_contract_page_refuses_an_agreement_dated_0001_01_01(personas, records):
    http = logged_in(personas.therapist_a)
    url = reverse("course-middle-contract", args=[records.course.pk])
    response = http.post(url, {**CONTRACT, "agreed_on": "0001-01-01"})
    assert response.status_code == 400
    assert "before the course opened (1 September 2026)" in response.content.decode()
    assert not TreatmentContract.objects.filter(course=records.course).exists()


def test_the_api_refuses_a_maintenance_plan_starting_on_9999_12_31(personas, records):
    api = api_as(personas.therapist_a, personas.org_a)
    course = records.course.pk
    assert api.put(f"/courses/{course}/contract", {**CONTRACT, "agreed_on": "2026-09-01"}).status_code == 200
    assert api.post(f"/courses/{course}/phase", {"to_phase": "termination"}).status_code == 200
    review = {"progress_summary": "Mood lifted", "next_step": "maintenance", "next_step_detail": "Monthly"}
    reviewed = api.put(f"/courses/{course}/termination-review", {**review, "reviewed_on": "2026-11-26"})
    assert reviewed.status_code == 200, reviewed.json()
    plan = {"frequency": "monthly", "sessions_planned": 6, "starts_on": "9999-12-31"}
    refused = api.put(f"/courses/{course}/maintenance-plan", plan)
    assert refused.status_code == 422
    assert "more than a year ahead" in fields(refused)["starts_on"][0]
    assert not MaintenancePlan.objects.filter(course=records.course).exists()
    assert api.put(f"/courses/{course}/maintenance-plan", {**plan, "starts_on": "2027-01-05"}).status_code == 200


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "right/UTC", "posix/Europe/London"])
def test_the_settings_page_refuses_a_time_zone_that_is_no_place(personas, zone):
    organisation = personas.org_a
    response = logged_in(personas.admin_a).post(
        reverse("organisation-settings"),
        {"name": organisation.name, "time_zone": zone, "crisis_contacts": "Call 112", "mfa_required": "on"},
    )
    assert response.status_code == 400
    assert "IANA" in response.content.decode()
    assert Organisation.objects.get(pk=organisation.pk).time_zone == organisation.time_zone


def test_createorg_refuses_localtime(db):
    with pytest.raises(CommandError, match="IANA"):
        call_command("createorg", "Gamma Clinic", "--time-zone", "localtime")
    assert not Organisation.objects.filter(name="Gamma Clinic").exists()
    call_command("createorg", "Gamma Clinic", "--time-zone", "Africa/Kampala")
    assert Organisation.objects.get(name="Gamma Clinic").time_zone == "Africa/Kampala"
