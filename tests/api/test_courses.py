"""Courses through the API: opening, where a course stands, phase changes, tasks, closing, the whole record."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptriad.api.courses import ERROR_THERAPIST_NOT_SELF
from iptriad.audit.chain import append_statements
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol.rules import NO_CONTRACT, NO_DIAGNOSIS
from iptriad.courses.models import Course, CourseTask, InventoryPerson, PhaseChange
from iptriad.courses.services.course import (
    ERROR_OPEN_COURSE_EXISTS,
    ERROR_OPENED_IN_FUTURE,
    ERROR_THERAPIST,
    ERROR_UNKNOWN_ADAPTATION,
    ERROR_UNKNOWN_TASK,
)
from tests.api.conftest import api_as, fields
from tests.conftest import make_client
from tests.courses.factories import full_course, termination_records

pytestmark = pytest.mark.django_db

# 3 for the token (the token, its membership, its last use), 1 for the course with its one-to-one records, the
# audit event's statements (1 on PostgreSQL, 3 on SQLite: iptriad.audit.chain.append_statements), and the course
# page's 9 lists: people, timeline, problem areas, goals, sessions, administrations, schedule rows, phase changes,
# ticked tasks.
RECORD_QUERIES = 13 + append_statements()


def test_it_opens_a_course_follows_it_and_closes_it(therapist_api, personas):
    opened = therapist_api.post(f"/clients/{personas.client_a.pk}/courses", {"adaptation": "standard"})
    assert opened.status_code == 201
    course = opened.json()
    assert (course["phase"], course["therapist"]["id"], course["client"]["identifier"]) == (
        "initial",
        personas.therapist_a.pk,
        "A-0001",
    )
    detail = therapist_api.get(f"/courses/{course['id']}").json()
    assert detail["session_guide"]["label"] == "Session 1"
    assert detail["next_phase"] == "middle"
    refusals = [refusal["message"] for refusal in detail["next_phase_refusals"]]
    assert NO_DIAGNOSIS in refusals
    assert detail["allowed_transitions"] == ["closed"]
    task = detail["tasks"][0]["id"]
    ticked = therapist_api.post(f"/courses/{course['id']}/tasks", {"task_id": task, "done": True})
    assert ticked.json() == {"task_id": task, "done": True}
    assert therapist_api.get(f"/courses/{course['id']}").json()["tasks"][0]["done"] is True
    refused = therapist_api.post(f"/courses/{course['id']}/phase", {"to_phase": "middle"})
    assert refused.status_code == 422
    assert NO_DIAGNOSIS in fields(refused)[None]
    assert NO_CONTRACT in fields(refused)[None]
    assert Course.objects.get().phase == "initial"
    closed = therapist_api.post(f"/courses/{course['id']}/close", {"reason": "moved", "note": "Moved abroad"})
    assert (closed.status_code, closed.json()["phase"], closed.json()["end_reason"]) == (200, "closed", "moved")
    after = therapist_api.get(f"/courses/{course['id']}").json()
    assert (after["session_guide"], after["tasks"], after["allowed_transitions"]) == (None, [], [])
    assert [c["id"] for c in therapist_api.get(f"/clients/{personas.client_a.pk}/courses").json()] == [course["id"]]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.COURSE_OPENED, AuditAction.COURSE_TASK_MARKED, AuditAction.COURSE_CLOSED} <= actions


def test_it_moves_a_ready_course_on_and_shows_the_caseload(supervisor_api, personas):
    records = full_course(personas.client_a, personas.therapist_a)
    moved = supervisor_api.post(f"/courses/{records.course.pk}/phase", {"to_phase": "termination", "note": "On time"})
    assert (moved.status_code, moved.json()["phase"]) == (200, "termination")
    # The note is encrypted at rest, so it is compared after reading rather than in the query.
    moves = PhaseChange.objects.filter(course=records.course, to_phase="termination")
    assert [change.note for change in moves] == ["On time"]
    caseload = supervisor_api.get("/caseload").json()
    assert [(c["id"], c["sessions_held"]) for c in caseload] == [(records.course.pk, 1)]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"adaptation": "freudian"}, "adaptation", ERROR_UNKNOWN_ADAPTATION),
        ({"adaptation": "standard", "opened_on": "2999-01-01"}, "opened_on", ERROR_OPENED_IN_FUTURE),
        ({"adaptation": "standard", "opened_on": "yesterday"}, "opened_on", "Input should be a valid date"),
        ({}, "adaptation", "Field required"),
        ({"adaptation": "standard", "phase": "middle"}, "phase", "Extra inputs are not permitted"),
    ],
)
def test_it_refuses_to_open_a_course_on_bad_input(therapist_api, personas, body, field, message):
    response = therapist_api.post(f"/clients/{personas.client_a.pk}/courses", body)
    assert response.status_code == 422
    assert message in " ".join(fields(response)[field])
    assert not Course.objects.exists()


def test_who_may_run_the_course(therapist_api, supervisor_api, personas):
    url = f"/clients/{personas.client_a.pk}/courses"
    colleague = therapist_api.post(url, {"adaptation": "standard", "therapist": personas.therapist_a2.pk})
    assert fields(colleague) == {"therapist": [ERROR_THERAPIST_NOT_SELF]}
    foreign = supervisor_api.post(url, {"adaptation": "standard", "therapist": personas.therapist_b.pk})
    assert fields(foreign) == {"therapist": [ERROR_THERAPIST]}
    facilitator = supervisor_api.post(url, {"adaptation": "standard", "therapist": personas.facilitator_a.pk})
    assert fields(facilitator) == {"therapist": [ERROR_THERAPIST]}
    opened = supervisor_api.post(url, {"adaptation": "standard", "therapist": personas.therapist_a.pk})
    assert opened.json()["therapist"]["id"] == personas.therapist_a.pk
    second = supervisor_api.post(url, {"adaptation": "standard"})
    assert fields(second) == {"client": [ERROR_OPEN_COURSE_EXISTS]}
    assert Course.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "body", "field", "message"),
    [
        ("phase", {"to_phase": "closed"}, "to_phase", "Input should be 'middle', 'termination' or 'maintenance'"),
        ("phase", {"to_phase": "initial"}, "to_phase", "Input should be"),
        ("close", {"reason": "bored"}, "reason", "Input should be"),
        ("close", {"reason": "completed"}, None, "Start the termination phase before closing the course"),
        ("close", {"reason": "moved", "closed_on": "2026-02-30"}, "closed_on", "Input should be a valid date"),
        ("tasks", {"task_id": "initial.inventory", "done": True}, None, ERROR_UNKNOWN_TASK),
        ("tasks", {"task_id": "middle.problem_area_work", "done": "yes"}, "done", "Input should be a valid boolean"),
    ],
)
def test_it_refuses_bad_course_actions_and_changes_nothing(therapist_api, personas, path, body, field, message):
    records = full_course(personas.client_a, personas.therapist_a)
    response = therapist_api.post(f"/courses/{records.course.pk}/{path}", body)
    assert response.status_code == 422
    assert message in " ".join(fields(response)[field])
    records.course.refresh_from_db()
    assert (records.course.phase, CourseTask.objects.count(), PhaseChange.objects.count()) == ("middle", 0, 1)


def test_it_reads_the_whole_record(therapist_api, personas):
    records = full_course(personas.client_a, personas.therapist_a)
    termination_records(records.course)
    response = therapist_api.get(f"/courses/{records.course.pk}/record")
    assert response.status_code == 200
    record = response.json()
    assert record["assessment"]["diagnosis_code"] == "F32.1"
    assert [person["name"] for person in record["inventory"]] == ["Sam"]
    assert record["timeline"][0]["description"] == "Moved city"
    assert record["triad"]["acute_crisis"] == "The move"
    assert record["triad"]["support_people"] == []
    assert record["problem_areas"][0]["area"] == "role_transition"
    assert record["goals"][0]["problem_area_id"] == records.problem_area.pk
    assert record["formulation"]["agreed_on"] == "2026-09-01"
    assert record["contract"]["sessions_planned"] == 12
    assert record["sessions"][0]["number"] == 1
    assert record["termination_review"]["progress_summary"] == "Mood lifted"
    assert record["relapse_prevention_plan"]["warning_signs"] == "Sleeping badly"
    assert record["maintenance_plan"]["sessions_planned"] == 6
    assert {"organisation", "organisation_id", "course", "course_id"}.isdisjoint(record["assessment"])
    assert record["timeline"][0]["person_id"] is None
    assert AuditEvent.objects.filter(action=AuditAction.COURSE_VIEWED, object_id=str(records.course.pk)).exists()


def test_the_record_of_a_course_never_shows_another_therapists(personas):
    records = full_course(personas.client_a, personas.therapist_a)
    assert api_as(personas.therapist_a2, personas.org_a).get(f"/courses/{records.course.pk}/record").status_code == 404


def test_the_record_takes_the_same_queries_whatever_its_size(therapist_api, personas):
    records = full_course(personas.client_a, personas.therapist_a)
    url = f"/courses/{records.course.pk}/record"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert therapist_api.get(url).status_code == 200
        return len(captured)

    one = queries()
    for number in range(30):
        InventoryPerson.objects.create(
            organisation=personas.org_a, course=records.course, name=f"P{number}", relationship="friend"
        )
    assert queries() == one == RECORD_QUERIES


def test_the_caseload_takes_the_same_queries_for_1_and_20_courses(supervisor_api, personas):
    full_course(personas.client_a, personas.therapist_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert supervisor_api.get("/caseload").status_code == 200
        return len(captured)

    one = queries()
    for number in range(19):
        full_course(make_client(personas.org_a, f"A-3{number:02}", personas.therapist_a), personas.therapist_a)
    assert queries() == one
