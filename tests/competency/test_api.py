"""Competency records through the API: the team's overview, a person's record, adding training; the same rules,
messages and audit as the pages."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptriad.accounts.models import Role
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.competency.models import TrainingRecord
from tests.api.conftest import api_as, fields
from tests.competency.factories import make_certification, make_training, rate, record_of
from tests.conftest import make_client, make_user
from tests.courses.factories import make_course

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def records(personas):
    make_training(personas.therapist_a, personas.org_a, completed_on=dt.date(2022, 5, 1), title="Old course")
    make_certification(
        personas.therapist_a, personas.org_a, certified_on=dt.date(2023, 1, 1), valid_until=dt.date(2027, 1, 1)
    )
    course = make_course(make_client(personas.org_a, "CMP-1", personas.therapist_a), personas.therapist_a)
    rate(course, clinician=personas.therapist_a, rater=personas.supervisor_a, role="supervisor", score="62.5",
         rated_on=dt.date(2026, 11, 3), number=2)  # fmt: skip
    return course


def test_a_supervisor_lists_the_team_overdue_first_with_ratings(personas, records):
    response = api_as(personas.supervisor_a, personas.org_a).get("/competency/people")
    assert response.status_code == 200
    body = response.json()
    assert body["refresher_months"] == 36
    first = body["items"][0]
    assert first["person"] == {"id": personas.therapist_a.pk, "full_name": "Tara Alpha"}
    assert first["standing"] == {"refresher_due_on": "2025-05-01", "due_on": "2025-05-01", "overdue": True}
    assert first["latest_certification"]["state"] == "ends_soon"  # 1 January 2027, within 90 days
    assert first["ratings"]["latest_supervisor_score"] == "62.5"
    assert personas.admin_a.pk not in {item["person"]["id"] for item in body["items"]}
    assert AuditEvent.objects.filter(action=AuditAction.COMPETENCY_LISTED).count() == 1


def test_an_administrator_gets_no_ratings(personas, records):
    body = api_as(personas.admin_a, personas.org_a).get("/competency/people").json()
    assert {item["ratings"] is None for item in body["items"]} == {True}
    record = (
        api_as(personas.admin_a, personas.org_a).get(f"/competency/people/{record_of(personas.therapist_a)}").json()
    )
    assert record["ratings"] is None
    assert record["trainings"][0]["title"] == "Old course"


@pytest.mark.parametrize("role", ["therapist_a", "facilitator_a"])
def test_a_therapist_or_facilitator_reads_only_their_own_record(personas, records, role):
    user = getattr(personas, role)
    api = api_as(user, personas.org_a)
    assert api.get("/competency/people").status_code == 403
    own = api.get(f"/competency/people/{record_of(user)}")
    assert own.status_code == 200
    assert own.json()["person"]["id"] == user.pk
    assert api.get(f"/competency/people/{record_of(personas.therapist_a2)}").status_code == 404
    assert api.get(f"/competency/people/{record_of(personas.therapist_b)}").status_code == 404
    viewed = AuditEvent.objects.get(action=AuditAction.COMPETENCY_VIEWED)
    assert viewed.detail == {"person": user.pk, "ratings": True}


def test_a_supervisor_adds_training_once_for_a_retried_request(personas):
    api = api_as(personas.supervisor_a, personas.org_a)
    body = {"kind": "consultation", "title": "Biweekly group consultation", "completed_on": "2026-10-01", "hours": 10}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.post(f"/competency/people/{record_of(personas.facilitator_a)}/training", body, **key)
    assert first.status_code == 201
    assert first.json()["hours"] == "10.0"
    assert (
        api.post(f"/competency/people/{record_of(personas.facilitator_a)}/training", body, **key).json() == first.json()
    )
    assert TrainingRecord.objects.filter(person=personas.facilitator_a).count() == 1


def test_training_in_the_future_is_refused_by_field(personas):
    api = api_as(personas.admin_a, personas.org_a)
    body = {"kind": "course", "title": "IPT course", "completed_on": "2026-12-01", "hours": 0}
    response = api.post(f"/competency/people/{record_of(personas.therapist_a)}/training", body)
    assert response.status_code == 422
    assert set(fields(response)) == {"completed_on", "hours"}
    assert (
        api.post(f"/competency/people/{record_of(personas.therapist_a)}/training", {**body, "kind": "x"}).status_code
        == 422
    )
    two_decimals = {**body, "completed_on": "2026-01-01", "hours": 1.25}
    assert fields(api.post(f"/competency/people/{record_of(personas.therapist_a)}/training", two_decimals)) == {
        "hours": ["Give hours with at most one decimal, e.g. 1.5."]
    }
    too_long = {**body, "completed_on": "2026-01-01", "hours": None, "title": "x" * 201}
    assert fields(api.post(f"/competency/people/{record_of(personas.therapist_a)}/training", too_long)).keys() == {
        "title"
    }
    assert not TrainingRecord.objects.exists()


def test_only_managers_add_training(personas):
    body = {"kind": "course", "title": "IPT course", "completed_on": "2026-01-01"}
    therapist = api_as(personas.therapist_a, personas.org_a)
    assert therapist.post(f"/competency/people/{record_of(personas.therapist_a)}/training", body).status_code == 403
    supervisor = api_as(personas.supervisor_a, personas.org_a)
    assert supervisor.post(f"/competency/people/{record_of(personas.therapist_b)}/training", body).status_code == 404
    assert not TrainingRecord.objects.exists()


def test_the_team_list_runs_the_same_queries_for_5_and_25_people(personas, records):
    api = api_as(personas.supervisor_a, personas.org_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/competency/people").status_code == 200
        return len(queries)

    small = count()
    for number in range(20):
        person = make_user(f"f{number}@alpha.example", f"Facilitator {number}", personas.org_a, Role.FACILITATOR)
        make_training(person, personas.org_a, completed_on=dt.date(2024, 1, 1))
        make_certification(person, personas.org_a, certified_on=dt.date(2024, 2, 1))
    assert count() == small
