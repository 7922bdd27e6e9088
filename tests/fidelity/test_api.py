"""The fidelity API: rate (validated, once a side, idempotent), list scoped and filtered, read with agreement."""

from __future__ import annotations

import pytest

from iptriad.courses.models import CourseSession
from iptriad.fidelity.models import FidelityRating
from tests.api.conftest import Api, api_as, fields
from tests.conftest import Personas
from tests.courses.factories import full_course
from tests.fidelity.factories import held_sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(personas: Personas) -> CourseSession:
    return held_sessions(full_course(personas.client_a, personas.therapist_a).course, 1)[0]


def _answers(api: Api, session: CourseSession, answer: str = "done") -> dict[str, str]:
    checklist = api.get(f"/course-sessions/{session.pk}/fidelity-checklist")
    assert checklist.status_code == 200
    return {item["key"]: answer for item in checklist.json()["items"]}


def test_the_therapist_and_the_supervisor_rate_and_read_their_agreement(personas, session):
    therapist = api_as(personas.therapist_a, personas.org_a)
    supervisor = api_as(personas.supervisor_a, personas.org_a)
    body = {"course_session": session.pk, "answers": _answers(therapist, session), "note": "Good"}
    created = therapist.post("/fidelity-ratings", body)
    assert created.status_code == 201, created.json()
    assert (created.json()["rater_role"], created.json()["score"]) == ("self", "100.0")
    again = therapist.post("/fidelity-ratings", body)
    assert again.status_code == 422
    assert "already rated this session" in again.json()["detail"][0]["message"]
    answers = _answers(supervisor, session)
    first = next(iter(answers))
    answers[first] = "not_done"
    theirs = supervisor.post("/fidelity-ratings", {"course_session": session.pk, "answers": answers})
    assert theirs.status_code == 201
    read = therapist.get(f"/fidelity-ratings/{created.json()['id']}")
    assert read.json()["other_side_id"] == theirs.json()["id"]
    assert read.json()["agreement_share"] is not None
    assert float(read.json()["score_difference"]) < 0
    listed = therapist.get("/fidelity-ratings", {"rater_role": "supervisor"})
    assert [item["id"] for item in listed.json()["items"]] == [theirs.json()["id"]]


def test_answers_must_be_the_checklists_items_on_its_scale(personas, session):
    therapist = api_as(personas.therapist_a, personas.org_a)
    answers = _answers(therapist, session)
    answers["made.up"] = "done"
    answers[next(iter(answers))] = "sometimes"
    refused = therapist.post("/fidelity-ratings", {"course_session": session.pk, "answers": answers})
    assert refused.status_code == 422
    assert fields(refused)["answers"] == [
        "'made.up' is not an item of this checklist.",
        "'sometimes' is not an answer: use done, partly, not_done or not_applicable.",
    ]
    both = therapist.post("/fidelity-ratings", {"course_session": session.pk, "group_session": 1, "answers": {}})
    assert both.status_code == 422
    assert not FidelityRating.objects.exists()


def test_others_get_404_and_an_administrator_sees_no_rating(personas, session):
    therapist = api_as(personas.therapist_a, personas.org_a)
    created = therapist.post(
        "/fidelity-ratings", {"course_session": session.pk, "answers": _answers(therapist, session)}
    )
    rating_id = created.json()["id"]
    for user, organisation in (
        (personas.therapist_a2, personas.org_a),
        (personas.facilitator_a, personas.org_a),
        (personas.admin_a, personas.org_a),
        (personas.therapist_b, personas.org_b),
    ):
        api = api_as(user, organisation)
        assert api.get(f"/fidelity-ratings/{rating_id}").status_code == 404
        assert api.get("/fidelity-ratings").json()["count"] == 0
        assert api.post("/fidelity-ratings", {"course_session": session.pk, "answers": {}}).status_code == 404


def test_a_rating_sent_twice_with_one_key_is_recorded_once(personas, session):
    therapist = api_as(personas.therapist_a, personas.org_a)
    body = {"course_session": session.pk, "answers": _answers(therapist, session)}
    first = therapist.post("/fidelity-ratings", body, **{"Idempotency-Key": "rate-once"})
    again = therapist.post("/fidelity-ratings", body, **{"Idempotency-Key": "rate-once"})
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert FidelityRating.objects.count() == 1
