"""A whole course through the API with a personal token only: opened, every part recorded, moved through its
phases, a session with a PHQ-9, the ending written, closed as completed, then read back whole.

The same flow runs over Django's test client (real HTTP handling: middleware, authentication, JSON) and once over
a live server with urllib, as an external script would call it.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import protocol
from iptriad.core.protocol.rules import NO_CONTRACT
from iptriad.courses.services.course import ERROR_NOT_OPEN
from tests.api.conftest import Api, api_as, token_for
from tests.measures.factories import PHQ9_NO_RISK

# (method, path under /api/v1, JSON body or None) -> (status, parsed answer or None)
Call = Callable[[str, str, dict[str, Any] | None], tuple[int, Any]]

STRATEGY = protocol().problem_area("role_transition").strategies[0].id
TECHNIQUE = protocol().techniques[0].id


@pytest.fixture(autouse=True)
def frozen_today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


def _ok(call: Call, method: str, path: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
    answered, answer = call(method, path, body)
    assert answered == status, (method, path, answer)
    return answer


def round_trip(call: Call, client_id: int) -> dict[str, Any]:
    """Open a course for the client and take it from the assessment to a completed close; the whole record."""
    course = _ok(
        call, "POST", f"/clients/{client_id}/courses", {"adaptation": "standard", "opened_on": "2026-09-01"}, 201
    )
    assert course["phase"] == "initial"
    c = f"/courses/{course['id']}"

    # The initial phase.
    assessment = _ok(
        call,
        "PUT",
        f"{c}/assessment",
        {
            "presenting_problems": "Low mood and poor sleep since moving for work.",
            "diagnosis_code": "F32.1",
            "diagnosis_label": "Moderate depressive episode",
            "suicide_risk_screen": "low",
            "assessed_on": "2026-09-01",
            "sick_role_given_on": "2026-09-01",
            "psychoeducation_given_on": "2026-09-01",
        },
    )
    assert (assessment["diagnosis_code"], assessment["risk_alert_advised"]) == ("F32.1", False)
    sam = _ok(
        call,
        "POST",
        f"{c}/inventory",
        {
            "name": "Sam",
            "relationship": "partner",
            "ring": 1,
            "satisfying": "Kind and steady",
            "knows_about_depression": True,
            "linked_problem_area": "role_transition",
            "focus_candidate": True,
        },
        201,
    )
    assert (sam["course_id"], sam["ring"]) == (course["id"], 1)
    onset = {"occurred_on": "2026-06-01", "kind": "symptom_onset", "description": "Low mood and poor sleep began"}
    _ok(call, "POST", f"{c}/timeline", onset, 201)
    move = {"occurred_on": "2026-05-01", "kind": "life_event", "description": "Moved city for work"}
    move["person"] = sam["id"]
    assert _ok(call, "POST", f"{c}/timeline", move, 201)["person_id"] == sam["id"]
    triad = _ok(
        call,
        "PUT",
        f"{c}/triad",
        {"acute_crisis": "The move away from friends", "social_support": "Sam", "support_people": [sam["id"]]},
    )
    assert triad["support_people"] == [sam["id"]]

    # The focus: a problem area with a goal, the formulation from its draft, then the contract.
    area = _ok(
        call,
        "POST",
        f"{c}/problem-areas",
        {"area": "role_transition", "evidence": "Low mood began after the move.", "chosen_on": "2026-09-08"},
        201,
    )
    goal = _ok(call, "POST", f"/problem-areas/{area['id']}/goals", {"text": "Build a new social network"}, 201)
    assert (goal["problem_area_id"], goal["status"]) == (area["id"], "not_started")
    draft = _ok(call, "GET", f"{c}/formulation/draft")
    assert "illness that can be treated" in draft["draft"]
    assert "Moved city for work (1 May 2026)" in draft["draft"]
    assert draft["missing"] == ["the treatment contract"]
    formulation = _ok(
        call,
        "PUT",
        f"{c}/formulation",
        {"text": draft["draft"], "shared_on": "2026-09-15", "agreed_on": "2026-09-15"},
    )
    assert (formulation["agreed_on"], formulation["needs_new_agreement"]) == ("2026-09-15", False)
    status, refused = call("POST", f"{c}/phase", {"to_phase": "middle"})
    assert (status, refused) == (422, {"detail": [{"field": None, "message": NO_CONTRACT}]})
    contract = _ok(
        call,
        "PUT",
        f"{c}/contract",
        {
            "sessions_planned": 12,
            "frequency": "weekly",
            "session_minutes": 50,
            "starts_on": "2026-09-01",
            "missed_session_rule": "Call the day before.",
            "agreed_on": "2026-09-15",
        },
    )
    assert (contract["planned_end_on"], contract["renegotiated"], contract["cautions"]) == ("2026-11-17", False, [])
    assert _ok(call, "POST", f"{c}/phase", {"to_phase": "middle"})["phase"] == "middle"

    # A session of the middle phase, with a PHQ-9 given in it.
    session = _ok(
        call,
        "POST",
        f"{c}/sessions",
        {
            "held_on": "2026-09-22",
            "mood_since_last": "A little better; slept more.",
            "events_linked": "Felt low after a lonely weekend.",
            "strategies": [STRATEGY],
            "techniques": [TECHNIQUE],
            "homework_review": "none_set",
            "homework_set": "Call one former colleague.",
            "risk_check": "no_concern",
            "note": "Worked on the losses of the move.",
        },
        201,
    )
    assert (session["number"], session["phase"], session["alert_id"]) == (1, "middle", None)
    phq9 = _ok(
        call,
        "POST",
        f"/clients/{client_id}/administrations",
        {"instrument": "phq9", "answers": PHQ9_NO_RISK, "session": session["id"]},
        201,
    )
    assert (phq9["session_id"], phq9["course_id"], phq9["alert_ids"]) == (session["id"], course["id"], [])
    listed = _ok(call, "GET", f"{c}/sessions")
    assert [(row["id"], row["number"]) for row in listed] == [(session["id"], 1)]

    # The ending.
    assert _ok(call, "POST", f"{c}/phase", {"to_phase": "termination"})["phase"] == "termination"
    _ok(
        call,
        "PUT",
        f"{c}/termination-review",
        {
            "progress_summary": "Mood lifted; sleeping well.",
            "why_better": "Called old friends and joined a choir.",
            "skills_gained": "Asking for company.",
            "feelings_about_ending": "Sad, and ready.",
            "next_step": "none",
            "reviewed_on": "2026-11-24",
        },
    )
    achieved = _ok(call, "PATCH", f"/goals/{goal['id']}/status", {"status": "achieved", "status_note": "A choir."})
    assert achieved["status"] == "achieved"
    _ok(
        call,
        "PUT",
        f"{c}/relapse-prevention-plan",
        {
            "warning_signs": "Sleeping badly; staying in.",
            "what_helps": "Choir on Thursdays.",
            "people_to_turn_to": "Sam",
            "if_symptoms_return": "Call the clinic within a week.",
            "emergency_contacts": "Local emergency number",
            "agreed_on": "2026-11-24",
        },
    )
    closed = _ok(call, "POST", f"{c}/close", {"reason": "completed", "closed_on": "2026-11-26"})
    assert (closed["phase"], closed["end_reason"]) == ("closed", "completed")
    status, refused = call("PUT", f"{c}/assessment", {"diagnosis_code": "F33.0"})
    assert (status, refused) == (422, {"detail": [{"field": None, "message": ERROR_NOT_OPEN}]})

    record: dict[str, Any] = _ok(call, "GET", f"{c}/record")
    assert record["course"]["id"] == course["id"]
    return record


def check_record(record: dict[str, Any]) -> None:
    """Every part the round trip recorded is in the record, as sent."""
    assert (record["course"]["phase"], record["course"]["closed_on"]) == ("closed", "2026-11-26")
    assert record["assessment"]["diagnosis_label"] == "Moderate depressive episode"
    assert record["assessment"]["suicide_risk_screen"] == "low"
    (sam,) = record["inventory"]
    assert (sam["name"], sam["relationship"], sam["knows_about_depression"]) == ("Sam", "partner", True)
    assert [(event["kind"], event["person_id"]) for event in record["timeline"]] == [
        ("life_event", sam["id"]),
        ("symptom_onset", None),
    ]
    assert (record["triad"]["acute_crisis"], record["triad"]["support_people"]) == (
        "The move away from friends",
        [sam["id"]],
    )
    (area,) = record["problem_areas"]
    assert (area["area"], area["active"], area["chosen_on"]) == ("role_transition", True, "2026-09-08")
    (goal,) = record["goals"]
    assert (goal["problem_area_id"], goal["status"], goal["status_note"]) == (area["id"], "achieved", "A choir.")
    assert "Moved city for work" in record["formulation"]["text"]
    assert (record["formulation"]["shared_on"], record["formulation"]["agreed_on"]) == ("2026-09-15", "2026-09-15")
    assert (record["contract"]["sessions_planned"], record["contract"]["agreed_on"]) == (12, "2026-09-15")
    (session,) = record["sessions"]
    assert (session["number"], session["strategies"], session["techniques"]) == (1, [STRATEGY], [TECHNIQUE])
    assert session["homework_set"] == "Call one former colleague."
    assert record["termination_review"]["next_step"] == "none"
    assert record["relapse_prevention_plan"]["people_to_turn_to"] == "Sam"
    assert record["maintenance_plan"] is None
    assert [(change["from_phase"], change["to_phase"]) for change in record["phase_changes"]] == [
        ("", "initial"),
        ("initial", "middle"),
        ("middle", "termination"),
        ("termination", "closed"),
    ]


def through(api: Api) -> Call:
    def call(method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        response = api.get(path) if method == "GET" else api.send(method.lower(), path, body)
        return response.status_code, response.json() if response.content else None

    return call


@pytest.mark.django_db
def test_a_token_round_trips_a_whole_course(personas):
    record = round_trip(through(api_as(personas.therapist_a, personas.org_a)), personas.client_a.pk)
    check_record(record)
    # Every change is audited as the pages' are: the member, the record, the fields (never the clinical text).
    saved = AuditEvent.objects.filter(action=AuditAction.COURSE_RECORD_SAVED)
    assert set(saved.values_list("actor", flat=True)) == {personas.therapist_a.pk}
    assert set(saved.values_list("object_type", flat=True)) >= {
        "assessment",
        "inventoryperson",
        "timelineevent",
        "triad",
        "problemareachoice",
        "goal",
        "formulation",
        "treatmentcontract",
        "terminationreview",
        "relapsepreventionplan",
    }
    assert AuditEvent.objects.filter(action=AuditAction.COURSE_SESSION_SAVED).count() == 1
    assert "Moved city" not in json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))


def over_the_network(base: str, token: str) -> Call:
    def call(method: str, path: str, body: dict[str, Any] | None) -> tuple[int, Any]:
        headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(base + path, data=data, headers=headers, method=method)  # noqa: S310 - the test's own live server
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the test's own live server
                content = response.read()
                return response.status, json.loads(content) if content else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    return call


@pytest.mark.django_db(transaction=True)
def test_a_script_round_trips_a_whole_course_over_the_network(live_server, personas):
    call = over_the_network(f"{live_server.url}/api/v1", token_for(personas.therapist_a, personas.org_a))
    check_record(round_trip(call, personas.client_a.pk))
