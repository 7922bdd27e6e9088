"""The parts of a course through the API: each endpoint calls its service, so the API refuses what the pages refuse,
with the services' messages as field errors; wrong types are 422 (never 500); a colleague's records are a 404; a
refused request writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from iptriad.api.auth import ERROR_CSRF
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import Phase, protocol
from iptriad.core.protocol.rules import DUPLICATE_PROBLEM_AREA
from iptriad.courses.models import (
    Course,
    CourseSession,
    Goal,
    InventoryPerson,
    MaintenancePlan,
    ProblemAreaChoice,
    TerminationReview,
    TimelineEvent,
    TreatmentContract,
)
from iptriad.courses.services import initial, middle, sessions, termination
from iptriad.courses.services.course import ERROR_NOT_OPEN
from iptriad.measures.models import RiskAlert
from tests.api.conftest import Api, api_as, fields
from tests.conftest import logged_in, make_client
from tests.courses.factories import CourseRecords, full_course, make_course

pytestmark = pytest.mark.django_db

WRITES = (AuditAction.COURSE_RECORD_SAVED, AuditAction.COURSE_RECORD_DELETED, AuditAction.COURSE_SESSION_SAVED)
SESSION = {"held_on": "2026-09-08", "homework_review": "none_set", "risk_check": "no_concern"}
CONTRACT = {"sessions_planned": 12, "frequency": "weekly", "session_minutes": 50, "starts_on": "2026-09-01"}
PLAN = {
    "warning_signs": "Sleeping badly",
    "what_helps": "Calling a friend",
    "people_to_turn_to": "Sam",
    "if_symptoms_return": "Call the clinic",
    "emergency_contacts": "Local emergency number",
}


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


@pytest.fixture
def records(personas) -> CourseRecords:
    """A course in its middle phase: an agreed contract of 12 sessions, one held."""
    return full_course(personas.client_a, personas.therapist_a)


def path_of(template: str, records: CourseRecords) -> str:
    return template.format(
        course=records.course.pk,
        person=records.person.pk,
        event=records.event.pk,
        area=records.problem_area.pk,
        goal=records.goal.pk,
        session=records.session.pk,
    )


def send(api: Api, method: str, path: str, body: Any = None) -> Any:
    return api.get(path) if method == "get" else api.send(method, path, body)


def written() -> int:
    return AuditEvent.objects.filter(action__in=WRITES).count()


# --- The services' refusals, with their messages ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "field", "message"),
    [
        (
            "put",
            "/courses/{course}/assessment",
            {"assessed_on": "2026-12-01"},
            "assessed_on",
            initial.ERROR_DATE_IN_FUTURE,
        ),
        (
            "put",
            "/courses/{course}/assessment",
            {"suicide_risk_screen": "some"},
            "suicide_risk_screen",
            initial.ERROR_RISK_SCREEN,
        ),
        (
            "put",
            "/courses/{course}/assessment",
            {"diagnosis_code": "F" * 21},
            "diagnosis_code",
            "String should have at most 20 characters",  # the body takes what the column holds (issue 16)
        ),
        (
            "post",
            "/courses/{course}/inventory",
            {"name": " ", "relationship": "friend"},
            "name",
            initial.ERROR_NAME_REQUIRED,
        ),
        (
            "post",
            "/courses/{course}/inventory",
            {"name": "Ali", "relationship": "cousin"},
            "relationship",
            initial.ERROR_RELATIONSHIP,
        ),
        (
            "post",
            "/courses/{course}/inventory",
            {"name": "Ali", "relationship": "other"},
            "relationship_detail",
            initial.ERROR_RELATIONSHIP_UNDESCRIBED,
        ),
        (
            "post",
            "/courses/{course}/inventory",
            {"name": "Ali", "relationship": "friend", "ring": 9},
            "ring",
            initial.ERROR_RING,
        ),
        (
            "post",
            "/courses/{course}/inventory",
            {"name": "Ali", "relationship": "friend", "angle": 360.0},
            "angle",
            initial.ERROR_ANGLE,
        ),
        (
            "patch",
            "/inventory/{person}",
            {"linked_problem_area": "loneliness"},
            "linked_problem_area",
            initial.ERROR_PROBLEM_AREA,
        ),
        (
            "post",
            "/courses/{course}/timeline",
            {"occurred_on": "1980-01-01", "kind": "life_event", "description": "Born"},
            "occurred_on",
            initial.ERROR_EVENT_BEFORE_BIRTH,
        ),
        (
            "post",
            "/courses/{course}/timeline",
            {"occurred_on": "2026-05-01", "kind": "rumour", "description": "x"},
            "kind",
            initial.ERROR_EVENT_KIND,
        ),
        ("patch", "/timeline/{event}", {"description": ""}, "description", initial.ERROR_DESCRIPTION_REQUIRED),
        (
            "post",
            "/courses/{course}/problem-areas",
            {"area": "grief", "evidence": " "},
            "evidence",
            middle.ERROR_NO_EVIDENCE,
        ),
        (
            "post",
            "/courses/{course}/problem-areas",
            {"area": "role_transition", "evidence": "Again"},
            "area",
            DUPLICATE_PROBLEM_AREA,
        ),
        (
            "post",
            "/courses/{course}/problem-areas",
            {"area": "loneliness", "evidence": "x"},
            "area",
            middle.ERROR_UNKNOWN_AREA,
        ),
        (
            "post",
            "/courses/{course}/problem-areas",
            {"area": "grief", "evidence": "x", "dispute_stage": "impasse"},
            "dispute_stage",
            middle.ERROR_STAGE_NOT_DISPUTE,
        ),
        ("patch", "/problem-areas/{area}", {"evidence": ""}, "evidence", middle.ERROR_NO_EVIDENCE),
        ("post", "/problem-areas/{area}/end", {"end_note": ""}, "end_note", middle.ERROR_NO_END_NOTE),
        ("delete", "/problem-areas/{area}", None, None, middle.ERROR_REMOVE_AFTER_MIDDLE),
        ("post", "/problem-areas/{area}/goals", {"text": " "}, "text", middle.ERROR_NO_GOAL_TEXT),
        ("patch", "/goals/{goal}", {"status": "done"}, "status", middle.ERROR_UNKNOWN_STATUS),
        ("delete", "/goals/{goal}", None, None, middle.ERROR_GOAL_REMOVE_AFTER_MIDDLE),
        ("put", "/courses/{course}/formulation", {"text": ""}, "text", middle.ERROR_NO_FORMULATION_TEXT),
        (
            "put",
            "/courses/{course}/formulation",
            {"text": "x", "agreed_on": "2026-09-02"},
            "agreed_on",
            middle.ERROR_AGREED_NOT_SHARED,
        ),
        (
            "put",
            "/courses/{course}/contract",
            {**CONTRACT, "agreed_on": "2026-09-01"},
            "renegotiation_note",
            middle.ERROR_NO_RENEGOTIATION_NOTE,
        ),
        (
            "put",
            "/courses/{course}/contract",
            {**CONTRACT, "renegotiation_note": "Shorter"},
            "agreed_on",
            middle.ERROR_RENEGOTIATED_NOT_AGREED,
        ),
        (
            "put",
            "/courses/{course}/contract",
            {**CONTRACT, "session_minutes": 5},
            "session_minutes",
            middle.ERROR_SESSION_MINUTES,
        ),
        (
            "put",
            "/courses/{course}/contract",
            {**CONTRACT, "frequency": "daily"},
            "frequency",
            middle.ERROR_UNKNOWN_FREQUENCY,
        ),
        (
            "post",
            "/courses/{course}/sessions",
            {**SESSION, "held_on": "2026-12-01"},
            "held_on",
            sessions.ERROR_DATE_IN_FUTURE,
        ),
        (
            "post",
            "/courses/{course}/sessions",
            {**SESSION, "risk_check": "concern"},
            "concern",
            sessions.ERROR_CONCERN_REQUIRED,
        ),
        (
            "post",
            "/courses/{course}/sessions",
            {**SESSION, "concern": "Hopeless"},
            "concern",
            sessions.ERROR_CONCERN_WITHOUT_CHECK,
        ),
        (
            "post",
            "/courses/{course}/sessions",
            {**SESSION, "strategies": ["grief.strategy.feelings"]},
            "strategies",
            sessions.ERROR_UNKNOWN_STRATEGY,
        ),
        (
            "post",
            "/courses/{course}/sessions",
            {"held_on": "2026-09-08", "attendance": "cancelled"},
            "note",
            sessions.ERROR_ABSENCE_NOTE,
        ),
        ("patch", "/sessions/{session}", {"attendance": "maybe"}, "attendance", sessions.ERROR_ATTENDANCE),
        (
            "put",
            "/courses/{course}/termination-review",
            {"progress_summary": "Better", "reviewed_on": "2026-11-26"},
            None,
            termination.ERROR_TOO_EARLY,
        ),
        ("put", "/courses/{course}/relapse-prevention-plan", PLAN, None, termination.ERROR_TOO_EARLY),
        (
            "put",
            "/courses/{course}/maintenance-plan",
            {"frequency": "monthly", "sessions_planned": 6, "starts_on": "2026-12-01"},
            None,
            termination.ERROR_TOO_EARLY,
        ),
        ("patch", "/goals/{goal}/status", {"status": "finished"}, "status", termination.ERROR_GOAL_STATUS),
    ],
)
def test_it_refuses_what_the_pages_refuse_with_the_services_messages(
    therapist_api, records, method, path, body, field, message
):
    response = send(therapist_api, method, path_of(path, records), body)
    assert response.status_code == 422, response.content
    assert fields(response) == {field: [message]}
    assert written() == 0
    assert not RiskAlert.objects.exists()


def test_the_middle_phase_needs_a_contract(therapist_api, personas):
    course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL)
    response = therapist_api.post(f"/courses/{course.pk}/phase", {"to_phase": "middle"})
    assert response.status_code == 422
    assert "Agree a treatment contract before starting the middle phase." in fields(response)[None]
    assert Course.objects.get().phase == "initial"


def test_a_closed_course_is_read_only(therapist_api, records):
    Course.objects.filter(pk=records.course.pk).update(
        phase=Phase.CLOSED, closed_on=dt.date(2026, 11, 1), end_reason="moved"
    )
    for method, path, body in [
        ("put", "/courses/{course}/assessment", {}),
        ("patch", "/inventory/{person}", {"name": "Sam"}),
        ("delete", "/timeline/{event}", None),
        ("put", "/courses/{course}/triad", {}),
        ("patch", "/problem-areas/{area}", {"evidence": "x"}),
        ("post", "/courses/{course}/sessions", SESSION),
        ("patch", "/goals/{goal}/status", {"status": "achieved"}),
    ]:
        response = send(therapist_api, method, path_of(path, records), body)
        assert (response.status_code, fields(response)) == (422, {None: [ERROR_NOT_OPEN]}), path
    assert written() == 0


# --- Wrong types: 422 with the field, never 500 ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("put", "/courses/{course}/assessment", {"assessed_on": "yesterday"}, "assessed_on"),
        ("put", "/courses/{course}/assessment", {"diagnosis_code": 12}, "diagnosis_code"),
        ("put", "/courses/{course}/assessment", {"diagnosis": "F32.1"}, "diagnosis"),
        ("put", "/courses/{course}/assessment", {"medication": "x\x00y"}, "medication"),
        ("put", "/courses/{course}/assessment", {"medication": "x" * 10_001}, "medication"),
        ("post", "/courses/{course}/inventory", {"relationship": "friend"}, "name"),
        ("post", "/courses/{course}/inventory", {"name": "Ali", "relationship": "friend", "ring": "2"}, "ring"),
        ("post", "/courses/{course}/inventory", {"name": "Ali", "relationship": "friend", "angle": "north"}, "angle"),
        (
            "post",
            "/courses/{course}/inventory",
            {"name": "Ali", "relationship": "friend", "focus_candidate": "yes"},
            "focus_candidate",
        ),
        ("patch", "/inventory/{person}", {"name": None}, "name"),
        ("patch", "/inventory/{person}", {"ring": 1.5}, "ring"),
        (
            "post",
            "/courses/{course}/timeline",
            {"occurred_on": "2026-13-01", "kind": "life_event", "description": "x"},
            "occurred_on",
        ),
        (
            "post",
            "/courses/{course}/timeline",
            {"occurred_on": "2026-05-01", "kind": "life_event", "description": "x", "person": 2**70},
            "person",
        ),
        ("patch", "/timeline/{event}", {"person": "Sam"}, "person"),
        ("put", "/courses/{course}/triad", {"support_people": ["Sam"]}, "support_people.0"),
        ("put", "/courses/{course}/triad", {"support_people": 3}, "support_people"),
        (
            "post",
            "/courses/{course}/problem-areas",
            {"area": "grief", "evidence": "x", "deficits_confirmed": "true"},
            "deficits_confirmed",
        ),
        ("post", "/courses/{course}/problem-areas", {"area": ["grief"], "evidence": "x"}, "area"),
        ("patch", "/problem-areas/{area}", {"evidence": None}, "evidence"),
        ("post", "/problem-areas/{area}/end", {"end_note": "x", "ended_on": 20260901}, "ended_on"),
        ("patch", "/goals/{goal}", {"status": 3}, "status"),
        ("put", "/courses/{course}/formulation", {"text": "x", "shared_on": "1 Sept"}, "shared_on"),
        ("put", "/courses/{course}/contract", {**CONTRACT, "sessions_planned": 12.5}, "sessions_planned"),
        ("put", "/courses/{course}/contract", {**CONTRACT, "sessions_planned": "12"}, "sessions_planned"),
        ("put", "/courses/{course}/contract", {**CONTRACT, "session_minutes": 10**6}, "session_minutes"),
        (
            "put",
            "/courses/{course}/contract",
            {key: value for key, value in CONTRACT.items() if key != "starts_on"},
            "starts_on",
        ),
        ("post", "/courses/{course}/sessions", {**SESSION, "strategies": "all"}, "strategies"),
        ("post", "/courses/{course}/sessions", {**SESSION, "techniques": [1]}, "techniques.0"),
        ("post", "/courses/{course}/sessions", {**SESSION, "held_on": None}, "held_on"),
        ("patch", "/sessions/{session}", {"held_on": None}, "held_on"),
        ("patch", "/sessions/{session}", {"number": 4}, "number"),
        ("put", "/courses/{course}/termination-review", {"progress_summary": "x"}, "reviewed_on"),
        (
            "put",
            "/courses/{course}/termination-review",
            {"progress_summary": "x" * 5001, "reviewed_on": "2026-11-26"},
            "progress_summary",
        ),
        ("put", "/courses/{course}/relapse-prevention-plan", {**PLAN, "warning_signs": ["x"]}, "warning_signs"),
        (
            "put",
            "/courses/{course}/maintenance-plan",
            {"frequency": "monthly", "sessions_planned": "6", "starts_on": "2026-12-01"},
            "sessions_planned",
        ),
        ("patch", "/goals/{goal}/status", {"status": "achieved", "status_note": None}, "status_note"),
    ],
)
def test_wrong_types_are_refused_by_field_and_write_nothing(therapist_api, records, method, path, body, field):
    response = send(therapist_api, method, path_of(path, records), body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert written() == 0


@pytest.mark.parametrize("path", ["/courses/{course}/assessment", "/courses/{course}/triad"])
def test_a_body_that_is_not_json_is_400(therapist_api, records, path):
    response = therapist_api.http.put(
        "/api/v1" + path_of(path, records), "{not json", content_type="application/json", headers=therapist_api.headers
    )
    assert response.status_code == 400
    assert written() == 0


# --- Who may: a colleague's and another organisation's records are a 404 ----------------------------------------


ENDPOINTS = [
    ("put", "/courses/{course}/assessment", {}),
    ("post", "/courses/{course}/inventory", {"name": "Ali", "relationship": "friend"}),
    ("get", "/inventory/{person}", None),
    ("patch", "/inventory/{person}", {"name": "Ali"}),
    ("delete", "/inventory/{person}", None),
    ("get", "/timeline/{event}", None),
    ("delete", "/timeline/{event}", None),
    ("put", "/courses/{course}/triad", {}),
    ("post", "/courses/{course}/problem-areas", {"area": "grief", "evidence": "x"}),
    ("get", "/problem-areas/{area}", None),
    ("post", "/problem-areas/{area}/end", {"end_note": "x"}),
    ("post", "/problem-areas/{area}/goals", {"text": "x"}),
    ("get", "/goals/{goal}", None),
    ("patch", "/goals/{goal}/status", {"status": "achieved"}),
    ("get", "/courses/{course}/formulation/draft", None),
    ("put", "/courses/{course}/formulation", {"text": "x"}),
    ("put", "/courses/{course}/contract", CONTRACT),
    ("get", "/courses/{course}/sessions", None),
    ("post", "/courses/{course}/sessions", SESSION),
    ("get", "/sessions/{session}", None),
    ("patch", "/sessions/{session}", {"note": "x"}),
    ("delete", "/courses/{course}/maintenance-plan", None),
]


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS)
def test_a_colleague_therapists_token_gets_404_and_changes_nothing(personas, records, method, path, body):
    colleague = api_as(personas.therapist_a2, personas.org_a)
    response = send(colleague, method, path_of(path, records), body)
    assert response.status_code == 404
    assert response.json() == {"detail": [{"field": None, "message": "Not found."}]}
    assert written() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.COURSE_VIEWED).exists()


def test_another_organisations_therapist_gets_404(personas, records):
    foreign = api_as(personas.therapist_b, personas.org_b)
    for method, path, body in ENDPOINTS:
        assert send(foreign, method, path_of(path, records), body).status_code == 404, path
    assert written() == 0


def test_the_session_needs_the_csrf_token_for_every_unsafe_method(personas, records):
    http = logged_in(personas.therapist_a, enforce_csrf_checks=True)
    api = Api(http)
    for method, path, body in [
        ("put", "/courses/{course}/assessment", {}),
        ("patch", "/inventory/{person}", {"name": "Sam"}),
        ("delete", "/timeline/{event}", None),
    ]:
        response = send(api, method, path_of(path, records), body)
        assert (response.status_code, fields(response)) == (403, {None: [ERROR_CSRF]}), path
    assert written() == 0


def test_a_supervisor_works_on_every_course_of_the_organisation(supervisor_api, records):
    response = supervisor_api.patch(f"/inventory/{records.person.pk}", {"support": "Listens"})
    assert (response.status_code, response.json()["support"]) == (200, "Listens")


# --- What each part does -----------------------------------------------------------------------------------------


def test_people_and_events_are_added_changed_read_and_removed(therapist_api, records):
    course = records.course.pk
    ali = therapist_api.post(
        f"/courses/{course}/inventory",
        {"name": " Ali ", "relationship": "other", "relationship_detail": "neighbour", "angle": 90},
    )
    assert ali.status_code == 201
    person = ali.json()
    assert (person["name"], person["ring"], person["angle"], person["course_id"]) == ("Ali", 2, 90.0, course)
    changed = therapist_api.patch(f"/inventory/{person['id']}", {"ring": 3, "knows_about_depression": False}).json()
    assert (changed["ring"], changed["knows_about_depression"], changed["relationship_detail"]) == (
        3,
        False,
        "neighbour",
    )
    event = therapist_api.post(
        f"/courses/{course}/timeline",
        {"occurred_on": "2026-04-01", "kind": "life_event", "description": "Fell out with Ali", "person": person["id"]},
    ).json()
    assert event["person_id"] == person["id"]
    assert therapist_api.get(f"/timeline/{event['id']}").json()["description"] == "Fell out with Ali"
    unlinked = therapist_api.patch(f"/timeline/{event['id']}", {"person": None}).json()
    assert (unlinked["person_id"], unlinked["description"]) == (None, "Fell out with Ali")
    assert therapist_api.get(f"/inventory/{person['id']}").json()["name"] == "Ali"
    removed = therapist_api.delete(f"/inventory/{person['id']}")
    assert (removed.status_code, removed.content) == (204, b"")
    assert therapist_api.get(f"/inventory/{person['id']}").status_code == 404
    assert therapist_api.delete(f"/timeline/{event['id']}").status_code == 204
    assert not TimelineEvent.objects.filter(pk=event["id"]).exists()
    viewed = AuditEvent.objects.filter(action=AuditAction.COURSE_VIEWED, object_id=str(course))
    assert {event.detail.get("record") for event in viewed} >= {"inventoryperson", "timelineevent"}
    assert AuditEvent.objects.filter(action=AuditAction.COURSE_RECORD_DELETED).count() == 2


def test_people_of_another_course_cannot_be_linked(therapist_api, personas, records):
    other_client = make_client(personas.org_a, "A-0002", personas.therapist_a)
    elsewhere = full_course(other_client, personas.therapist_a).person
    foreign = full_course(personas.client_b, personas.therapist_b).person
    course = records.course.pk
    for person in (elsewhere, foreign):
        triad = therapist_api.put(f"/courses/{course}/triad", {"support_people": [records.person.pk, person.pk]})
        assert fields(triad) == {"support_people": [initial.ERROR_SUPPORT_PEOPLE_OTHER_COURSE]}
        event = therapist_api.patch(f"/timeline/{records.event.pk}", {"person": person.pk})
        assert fields(event) == {"person": [initial.ERROR_PERSON_OTHER_COURSE]}
    assert written() == 0
    saved = therapist_api.put(f"/courses/{course}/triad", {"support_people": [records.person.pk, records.person.pk]})
    assert saved.json()["support_people"] == [records.person.pk]


def test_an_assessment_with_a_moderate_risk_screen_advises_an_alert(therapist_api, records):
    saved = therapist_api.put(f"/courses/{records.course.pk}/assessment", {"suicide_risk_screen": "moderate"})
    assert (saved.status_code, saved.json()["risk_alert_advised"]) == (200, True)
    # PUT replaces the whole record: what was not sent is now empty.
    assert (saved.json()["diagnosis_code"], saved.json()["presenting_problems"]) == ("", "")


def test_before_the_middle_phase_the_focus_can_be_removed(therapist_api, personas):
    course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL)
    area = therapist_api.post(
        f"/courses/{course.pk}/problem-areas",
        {"area": "role_dispute", "evidence": "Rows with her partner", "dispute_stage": "impasse"},
    ).json()
    assert (area["dispute_stage"], area["chosen_on"], area["course_id"]) == ("impasse", "2026-11-26", course.pk)
    ended = therapist_api.post(f"/problem-areas/{area['id']}/end", {"end_note": "Changed focus"})
    assert fields(ended) == {None: [middle.ERROR_END_BEFORE_MIDDLE]}
    moved = therapist_api.patch(f"/problem-areas/{area['id']}", {"dispute_stage": "renegotiation"}).json()
    assert (moved["dispute_stage"], moved["evidence"]) == ("renegotiation", "Rows with her partner")
    goal = therapist_api.post(f"/problem-areas/{area['id']}/goals", {"text": "Talk without shouting"}).json()
    assert therapist_api.patch(f"/goals/{goal['id']}", {"text": "Talk calmly"}).json()["text"] == "Talk calmly"
    assert therapist_api.delete(f"/goals/{goal['id']}").status_code == 204
    goal = therapist_api.post(f"/problem-areas/{area['id']}/goals", {"text": "Agree on chores"}).json()
    assert therapist_api.delete(f"/problem-areas/{area['id']}").status_code == 204
    assert not ProblemAreaChoice.objects.exists()
    assert not Goal.objects.exists()


def test_deficits_need_confirming(therapist_api, personas):
    course = make_course(personas.client_a, personas.therapist_a, phase=Phase.INITIAL)
    url = f"/courses/{course.pk}/problem-areas"
    refused = therapist_api.post(url, {"area": "interpersonal_deficits", "evidence": "Few friends since school"})
    assert fields(refused) == {"deficits_confirmed": [middle.ERROR_DEFICITS_NOT_CONFIRMED]}
    body = {"area": "interpersonal_deficits", "evidence": "Few friends since school", "deficits_confirmed": True}
    assert therapist_api.post(url, body).status_code == 201


def test_the_middle_phase_ends_a_problem_area_with_a_note(therapist_api, records):
    ended = therapist_api.post(f"/problem-areas/{records.problem_area.pk}/end", {"end_note": "Focus on the dispute"})
    assert ended.status_code == 200
    assert (ended.json()["active"], ended.json()["ended_on"]) == (False, "2026-11-26")
    again = therapist_api.patch(f"/problem-areas/{records.problem_area.pk}", {"evidence": "x"})
    assert fields(again) == {None: [middle.ERROR_AREA_ENDED]}
    # Its goal can still take its final status.
    goal = therapist_api.patch(f"/goals/{records.goal.pk}", {"status": "partly", "status_note": "Two new friends"})
    assert (goal.json()["status"], goal.json()["text"]) == ("partly", "Build a new social network")


def test_the_draft_is_composed_from_the_records_and_saved_only_on_request(therapist_api, records):
    draft = therapist_api.get(f"/courses/{records.course.pk}/formulation/draft").json()
    assert "Your moderate depressive episode is an illness that can be treated." in draft["draft"]
    assert "Over the next 12 sessions" in draft["draft"]
    assert draft["missing"] == ["when the symptoms began (timeline)"]
    assert written() == 0
    # Changing the words of an agreed formulation keeps the agreement but asks for it again.
    saved = therapist_api.put(
        f"/courses/{records.course.pk}/formulation",
        {"text": draft["draft"], "shared_on": "2026-09-01", "agreed_on": "2026-09-01"},
    ).json()
    assert (saved["text"], saved["needs_new_agreement"]) == (draft["draft"], True)


def test_an_agreed_contract_is_renegotiated_with_a_note(therapist_api, records):
    body = {**CONTRACT, "sessions_planned": 24, "agreed_on": "2026-11-20", "renegotiation_note": "Continuation"}
    saved = therapist_api.put(f"/courses/{records.course.pk}/contract", body)
    assert saved.status_code == 200
    contract = saved.json()
    assert (contract["renegotiated"], contract["sessions_planned"]) == (True, 24)
    assert contract["renegotiation_note"] == "2026-11-26: Continuation"
    assert [caution["code"] for caution in contract["cautions"]] == ["outside_usual_range", "beyond_acute"]
    assert TreatmentContract.objects.get().renegotiated


def test_a_session_is_numbered_and_a_concern_opens_an_alert_in_the_same_save(therapist_api, records):
    course = records.course.pk
    strategy = protocol().problem_area("role_transition").strategies[0].id
    recorded = therapist_api.post(
        f"/courses/{course}/sessions",
        {**SESSION, "strategies": [strategy], "risk_check": "concern", "concern": "Said life is not worth it."},
    )
    assert recorded.status_code == 201
    session = recorded.json()
    alert = RiskAlert.objects.get()
    assert (session["number"], session["phase"], session["alert_id"]) == (2, "middle", alert.pk)
    assert (alert.source, alert.summary) == ("clinician_concern", "Said life is not worth it.")
    assert therapist_api.get(f"/alerts/{alert.pk}").status_code == 200
    # A concern once recorded stays; other corrections keep it.
    kept = therapist_api.patch(f"/sessions/{session['id']}", {"risk_check": "no_concern"})
    assert fields(kept) == {"risk_check": [sessions.ERROR_CONCERN_KEPT]}
    corrected = therapist_api.patch(f"/sessions/{session['id']}", {"note": "Safety plan made."}).json()
    assert (corrected["note"], corrected["risk_check"], corrected["alert_id"]) == ("Safety plan made.", "concern", None)
    assert RiskAlert.objects.count() == 1
    # Correcting the first session to a concern opens its own alert.
    first = therapist_api.patch(
        f"/sessions/{records.session.pk}",
        {"homework_review": "none_set", "risk_check": "concern", "concern": "Hopeless about the job."},
    ).json()
    assert first["alert_id"] == RiskAlert.objects.latest("pk").pk
    listed = therapist_api.get(f"/courses/{course}/sessions").json()
    assert [(row["number"], row["risk_check"]) for row in listed] == [(1, "concern"), (2, "concern")]
    assert "note" not in listed[0]
    read = therapist_api.get(f"/sessions/{session['id']}").json()
    assert (read["course_id"], read["strategies"], read["recorded_by_id"]) == (
        course,
        [strategy],
        records.session.recorded_by_id,
    )


def test_the_ending_is_written_in_the_termination_phase(therapist_api, records):
    course = records.course.pk
    assert therapist_api.post(f"/courses/{course}/phase", {"to_phase": "termination"}).status_code == 200
    review = {"progress_summary": "Mood lifted", "next_step": "referral", "reviewed_on": "2026-11-26"}
    refused = therapist_api.put(f"/courses/{course}/termination-review", review)
    assert fields(refused) == {"next_step_detail": [termination.ERROR_REFERRAL_DETAIL]}
    review = {**review, "next_step": "maintenance", "next_step_detail": "Monthly for six months"}
    assert therapist_api.put(f"/courses/{course}/termination-review", review).status_code == 200
    plan = {"frequency": "monthly", "sessions_planned": 6, "starts_on": "2027-01-05", "notes": "First Tuesdays"}
    saved = therapist_api.put(f"/courses/{course}/maintenance-plan", plan)
    assert (saved.status_code, saved.json()["sessions_planned"]) == (200, 6)
    stopped = therapist_api.put(f"/courses/{course}/termination-review", {**review, "next_step": "none"})
    assert fields(stopped) == {"next_step": [termination.ERROR_NEXT_STEP_HAS_MAINTENANCE]}
    weekly_twice = therapist_api.put(f"/courses/{course}/maintenance-plan", {**plan, "frequency": "twice_weekly"})
    assert fields(weekly_twice) == {"frequency": [termination.ERROR_MAINTENANCE_FREQUENCY]}
    assert therapist_api.delete(f"/courses/{course}/maintenance-plan").status_code == 204
    assert not MaintenancePlan.objects.exists()
    again = therapist_api.delete(f"/courses/{course}/maintenance-plan")
    assert fields(again) == {None: [termination.ERROR_NO_MAINTENANCE_PLAN]}
    incomplete = therapist_api.put(f"/courses/{course}/relapse-prevention-plan", {**PLAN, "what_helps": " "})
    assert fields(incomplete) == {"what_helps": [termination.ERROR_WHAT_HELPS]}
    assert therapist_api.put(f"/courses/{course}/relapse-prevention-plan", PLAN).status_code == 200
    assert TerminationReview.objects.get().next_step == "maintenance"


def test_nothing_is_left_half_written(therapist_api, records):
    before = (InventoryPerson.objects.count(), CourseSession.objects.count(), TimelineEvent.objects.count())
    therapist_api.post(f"/courses/{records.course.pk}/inventory", {"name": "Ali", "relationship": "cousin"})
    therapist_api.post(f"/courses/{records.course.pk}/sessions", {**SESSION, "risk_check": "concern"})
    therapist_api.post(
        f"/courses/{records.course.pk}/timeline",
        {"occurred_on": "2026-05-01", "kind": "life_event", "description": "x", "person": 999_999},
    )
    assert (InventoryPerson.objects.count(), CourseSession.objects.count(), TimelineEvent.objects.count()) == before
    assert written() == 0


def test_a_start_date_at_the_end_of_the_calendar_is_refused(therapist_api, records):
    response = therapist_api.put(f"/courses/{records.course.pk}/contract", {**CONTRACT, "starts_on": "9999-12-20"})
    assert response.status_code == 422
