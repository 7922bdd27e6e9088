"""The supervision log through the JSON API: the same policy, refusals, idempotency and audit as the pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.supervision.models import ReviewedCase, SupervisionAction, SupervisionEntry
from tests.api.conftest import api_as
from tests.courses.factories import make_course
from tests.supervision.factories import supervision_records

pytestmark = pytest.mark.django_db

KEY = "Idempotency-Key"


@pytest.fixture
def course(personas):
    return make_course(personas.client_a, personas.therapist_a)


def _body(personas, course, **changes: object) -> dict[str, Any]:
    today = timezone.localdate()
    body: dict[str, Any] = {
        "held_on": (today - dt.timedelta(days=1)).isoformat(),
        "format": "group",
        "attendees": [personas.therapist_a.pk],
        "note": "Fortnightly consultation",
        "cases": [{"treatment_context": course.treatment_context_id, "risk_decision": "Safety plan stands"}],
        "actions": [
            {
                "text": "Book a psychiatric consultation",
                "owner": personas.therapist_a.pk,
                "due_on": (today + dt.timedelta(days=10)).isoformat(),
                "treatment_context": course.treatment_context_id,
            }
        ],
    }
    body.update(changes)
    return body


def test_a_supervisor_logs_a_meeting_once_with_an_idempotency_key(personas, course):
    api = api_as(personas.supervisor_a, personas.org_a)
    key = str(uuid.uuid4())
    first = api.post("/supervision/entries", _body(personas, course), **{KEY: key})
    assert first.status_code == 201, first.json()
    again = api.post("/supervision/entries", _body(personas, course), **{KEY: key})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert SupervisionEntry.objects.count() == 1
    answer = first.json()
    assert answer["cases"][0]["kind"] == "course"
    assert answer["cases"][0]["record_id"] == course.pk
    assert answer["actions"][0]["treatment_context"] == course.treatment_context_id


def test_refusals_name_the_field_and_write_nothing(personas, course):
    api = api_as(personas.supervisor_a, personas.org_a)
    foreign = make_course(personas.client_b, personas.therapist_b)
    body = _body(personas, course, cases=[{"treatment_context": foreign.treatment_context_id}])
    body["actions"][0].update(owner=None, due_on=None, treatment_context=None)
    refused = api.post("/supervision/entries", body)
    assert refused.status_code == 422
    fields = {error["field"] for error in refused.json()["detail"]}
    assert {"cases", "action_0_owner", "action_0_due_on"} <= fields
    assert not ReviewedCase.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("therapist_a", 403), ("facilitator_a", 403), ("admin_a", 403)])
def test_only_supervisors_log_meetings(personas, course, role, status):
    api = api_as(getattr(personas, role), personas.org_a)
    assert api.post("/supervision/entries", _body(personas, course)).status_code == status


def test_reads_follow_the_policy_and_are_audited(personas, course):
    records = supervision_records(course, supervisor=personas.supervisor_a)
    path = f"/supervision/entries/{records.entry.pk}"
    assert api_as(personas.admin_a, personas.org_a).get("/supervision/entries").status_code == 403
    assert api_as(personas.therapist_a2, personas.org_a).get(path).status_code == 404
    assert api_as(personas.therapist_b, personas.org_b).get(path).status_code == 404
    listed = api_as(personas.therapist_a, personas.org_a).get("/supervision/entries").json()
    assert [item["id"] for item in listed["items"]] == [records.entry.pk]
    read = api_as(personas.therapist_a, personas.org_a).get(path).json()
    assert read["cases"][0]["risk_decision"] == "No change to the risk plan"
    assert AuditEvent.objects.filter(
        action=AuditAction.SUPERVISION_ENTRY_VIEWED, object_id=str(records.entry.pk)
    ).exists()


def test_the_owner_marks_an_action_done(personas, course):
    records = supervision_records(course, supervisor=personas.supervisor_a)
    path = f"/supervision/actions/{records.action.pk}/done"
    body = {"done_on": timezone.localdate().isoformat(), "follow_up": "Formulation revisited"}
    assert api_as(personas.therapist_a2, personas.org_a).post(path, body).status_code == 404
    done = api_as(personas.therapist_a, personas.org_a).post(path, body)
    assert done.status_code == 200, done.json()
    assert done.json()["done_by"]["id"] == personas.therapist_a.pk
    assert api_as(personas.therapist_a, personas.org_a).post(path, body).status_code == 422
    assert SupervisionAction.objects.get(pk=records.action.pk).follow_up == "Formulation revisited"
