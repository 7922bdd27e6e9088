"""Group IPT through the API: who sees which groups and fields, setting a group up, a member's way in, and a
session's roster saved from a phone, with the alert and the hold said back, retried safely with an Idempotency-Key."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.groups.models import Group, GroupMember, SessionAttendance
from iptriad.measures.models import Administration, RiskAlert
from iptriad.measures.services import risk_alert_close
from tests.api.conftest import api_as, fields
from tests.groups.factories import PHQ9_MODERATE, joined_members, make_clients, make_group

pytestmark = pytest.mark.django_db

SELF_HARM = [2, 2, 1, 1, 2, 1, 1, 1, 2]  # item 9 "more than half the days"
KEY = "Idempotency-Key"


@pytest.fixture
def cast(personas):
    admin = personas.actor(personas.admin_a)
    facilitator = personas.actor(personas.facilitator_a)
    group = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a)
    members = joined_members(admin, facilitator, group, make_clients(personas.org_a, 3))
    return group, members


@pytest.fixture
def facilitator_api(personas):
    return api_as(personas.facilitator_a, personas.org_a)


@pytest.fixture
def admin_api(personas):
    return api_as(personas.admin_a, personas.org_a)


def _roster(members: list[GroupMember], answers: list[int] | None = None, **first: Any) -> dict[str, Any]:
    entries = [{"member_id": member.pk, "status": "present", "answers": PHQ9_MODERATE} for member in members]
    entries[0] |= {"answers": answers or PHQ9_MODERATE, **first}
    return {"held_on": timezone.localdate().isoformat(), "note": "Warm, settled group.", "entries": entries}


def _session_path(group: Group, number: int = 1) -> str:
    return f"/group-sessions/{group.sessions.get(number=number).pk}/roster"


# --- Who sees what --------------------------------------------------------------------------------------------


def test_each_role_lists_the_groups_it_may_see(personas, cast):
    group, _members = cast
    make_group(
        personas.actor(personas.admin_a),
        facilitator=personas.therapist_a2,
        supervisor=personas.therapist_a2,
        name="Another group",
    )
    seen = {
        user: {item["name"] for item in api_as(user, personas.org_a).get("/groups").json()["items"]}
        for user in (personas.admin_a, personas.facilitator_a, personas.therapist_a)
    }
    assert seen[personas.admin_a] == {group.name, "Another group"}
    assert seen[personas.facilitator_a] == seen[personas.therapist_a] == {group.name}
    assert api_as(personas.therapist_b, personas.org_b).get("/groups").json()["count"] == 0
    page = api_as(personas.admin_a, personas.org_a).get("/groups", {"limit": 1, "status": "all"}).json()
    assert (page["count"], len(page["items"])) == (2, 1)


def test_a_group_reads_with_its_schedule(facilitator_api, cast):
    group, _members = cast
    answer = facilitator_api.get(f"/groups/{group.pk}").json()
    assert [session["number"] for session in answer["sessions"]] == list(range(1, 9))
    assert [session["phase"] for session in answer["sessions"]][:2] == ["initial", "middle"]
    assert answer["sessions"][0]["held_on"] is None
    assert answer["facilitator"]["id"] == group.facilitator_id


def test_another_organisations_group_and_a_colleagues_are_not_found(personas, cast):
    group, members = cast
    for user, organisation in ((personas.therapist_b, personas.org_b), (personas.therapist_a2, personas.org_a)):
        api = api_as(user, organisation)
        assert api.get(f"/groups/{group.pk}").status_code == 404
        assert api.get(f"/group-members/{members[0].pk}").status_code == 404
        assert api.put(_session_path(group), _roster(members)).json() == {
            "detail": [{"field": None, "message": "Not found."}]
        }


def test_an_administrator_sees_members_without_clinical_fields(admin_api, facilitator_api, cast):
    group, members = cast
    listed = admin_api.get(f"/groups/{group.pk}/members").json()
    assert [row["clinical"] for row in listed] == [False] * 3
    assert {row["problem_area"] for row in listed} == {None}
    assert {row["screening_total"] for row in listed} == {None}
    detail = admin_api.get(f"/group-members/{members[0].pk}").json()
    assert (detail["goal"], detail["suicide_plan"], detail["screening_band"]) == (None, None, None)
    shown = facilitator_api.get(f"/groups/{group.pk}/members").json()
    assert {row["problem_area"] for row in shown} == {"role_dispute"}
    assert {row["screening_total"] for row in shown} == {11.0}
    assert facilitator_api.get(f"/group-members/{members[0].pk}").json()["goal"] == "Talk with my sister again"


def test_reading_clinical_fields_is_audited_and_an_administrators_read_is_not(admin_api, facilitator_api, cast):
    group, _members = cast
    viewed = AuditEvent.objects.filter(action=AuditAction.GROUP_VIEWED)
    admin_api.get(f"/groups/{group.pk}/members")
    assert not viewed.exists()
    facilitator_api.get(f"/groups/{group.pk}/members")
    assert viewed.count() == 1


# --- Setting up ---------------------------------------------------------------------------------------------------


def _new_group(personas, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Thursday group",
        "format_code": "strongminds_12",
        "facilitator": personas.facilitator_a.pk,
        "supervisor": personas.therapist_a.pk,
        "starts_on": timezone.localdate().isoformat(),
        "capacity": 12,
        **changes,
    }


def test_an_administrator_creates_a_group_once_however_often_it_is_retried(personas, admin_api):
    key = str(uuid.uuid4())
    first = admin_api.post("/groups", _new_group(personas), **{KEY: key})
    assert first.status_code == 201, first.content
    assert len(first.json()["sessions"]) == 12
    again = admin_api.post("/groups", _new_group(personas), **{KEY: key})
    assert (again.status_code, again["Idempotent-Replayed"], again.content) == (201, "true", first.content)
    assert Group.objects.filter(name="Thursday group").count() == 1


def test_a_facilitator_or_therapist_may_not_set_groups_up(personas, facilitator_api, cast):
    group, _members = cast
    assert facilitator_api.post("/groups", _new_group(personas)).status_code == 403
    therapist = api_as(personas.therapist_a, personas.org_a)
    assert therapist.patch(f"/groups/{group.pk}", {"place": "Hall"}).status_code == 403


def test_a_group_refused_by_the_service_answers_its_field_errors(personas, admin_api):
    answer = admin_api.post("/groups", _new_group(personas, format_code="nine_weeks", supervisor=personas.admin_a.pk))
    assert answer.status_code == 422
    assert set(fields(answer)) == {"format_code", "supervisor"}


def test_changing_a_group_changes_only_what_is_sent(admin_api, cast):
    group, _members = cast
    answer = admin_api.patch(f"/groups/{group.pk}", {"place": "The community hall", "capacity": 14})
    assert answer.status_code == 200, answer.content
    group.refresh_from_db()
    assert (group.place, group.capacity, group.name) == ("The community hall", 14, "Tuesday women's group")


def test_a_member_is_added_once_with_a_key_and_walks_in_through_the_pre_group_meeting(
    personas, admin_api, facilitator_api, cast
):
    group, _members = cast
    [client] = make_clients(personas.org_a, 1, prefix="N")
    key = str(uuid.uuid4())
    added = admin_api.post(f"/groups/{group.pk}/members", {"client": client.pk}, **{KEY: key})
    assert added.status_code == 201, added.content
    assert admin_api.post(f"/groups/{group.pk}/members", {"client": client.pk}, **{KEY: key}).status_code == 201
    assert GroupMember.objects.filter(client=client).count() == 1
    member_id = added.json()["id"]
    early = facilitator_api.post(f"/group-members/{member_id}/decision", {"joins": True})
    assert early.status_code == 422
    held_on = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    pre_group = {
        "held_on": held_on,
        "screening_answers": PHQ9_MODERATE,
        "problem_area": "grief",
        "goal": "Visit my mother's grave with my brother",
        "suicide_plan": False,
        "recent_attempt": False,
    }
    answer = facilitator_api.post(f"/group-members/{member_id}/pre-group", pre_group)
    assert answer.status_code == 200, answer.content
    assert (answer.json()["problem_area"], answer.json()["screening_total"]) == ("grief", 11.0)
    joined = facilitator_api.post(f"/group-members/{member_id}/decision", {"joins": True, "consent_on": held_on})
    assert joined.json()["status"] == "joined"


def test_a_client_of_another_organisation_cannot_be_added(personas, admin_api, cast):
    group, _members = cast
    answer = admin_api.post(f"/groups/{group.pk}/members", {"client": personas.client_b.pk})
    assert (answer.status_code, set(fields(answer))) == (422, {"client"})


# --- A session's roster ---------------------------------------------------------------------------------------------


def test_a_positive_self_harm_answer_answers_with_the_alert_and_the_hold(personas, facilitator_api, cast):
    group, members = cast
    answer = facilitator_api.put(_session_path(group), _roster(members, SELF_HARM))
    assert answer.status_code == 200, answer.content
    saved = answer.json()
    assert saved["alerts_opened"] == 1
    rows = {row["member_id"]: row for row in saved["rows"]}
    flagged = rows[members[0].pk]
    assert (flagged["alert_opened"], flagged["held"], flagged["critical_items"]) == (True, True, [9])
    assert personas.therapist_a.full_name in flagged["next_step"]
    assert "crisis" in flagged["next_step"]
    assert [rows[member.pk]["alert_opened"] for member in members[1:]] == [False, False]
    assert [rows[member.pk]["next_step"] for member in members[1:]] == ["", ""]
    assert RiskAlert.objects.filter(context=members[0].treatment_context).count() == 1
    members[0].refresh_from_db()
    assert members[0].is_held


def test_a_facilitators_concern_opens_an_alert_and_holds_the_member(facilitator_api, cast):
    group, members = cast
    body = _roster(members, risk_flag=True, concern="Said she sees no way out.")
    saved = facilitator_api.put(_session_path(group), body).json()
    row = next(row for row in saved["rows"] if row["member_id"] == members[0].pk)
    assert (row["alert_opened"], row["held"], row["risk_flag"]) == (True, True, True)
    assert RiskAlert.objects.get(context=members[0].treatment_context).summary == "Said she sees no way out."


def test_saving_twice_with_the_same_key_records_one_check_per_member(facilitator_api, cast):
    group, members = cast
    key = str(uuid.uuid4())
    first = facilitator_api.put(_session_path(group), _roster(members, SELF_HARM), **{KEY: key})
    again = facilitator_api.put(_session_path(group), _roster(members, SELF_HARM), **{KEY: key})
    assert (again.status_code, again["Idempotent-Replayed"], again.content) == (200, "true", first.content)
    contexts = [member.treatment_context_id for member in members]
    assert Administration.objects.filter(context_id__in=contexts, occasion__isnull=False).count() == 3
    assert RiskAlert.objects.filter(context_id__in=contexts).count() == 1
    assert SessionAttendance.objects.filter(session__group=group).count() == 3


def test_saving_again_without_a_key_refuses_a_second_check_by_member(facilitator_api, cast):
    group, members = cast
    assert facilitator_api.put(_session_path(group), _roster(members)).status_code == 200
    again = facilitator_api.put(_session_path(group), _roster(members))
    assert again.status_code == 422
    assert {f"member_{member.pk}_check" for member in members} <= set(fields(again))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda body: body.pop("entries"), "entries"),
        (lambda body: body["entries"][0].update(status="late"), "member_{id}_status"),
        (lambda body: body["entries"][0].update(status="absent"), "member_{id}_check"),
        (lambda body: body["entries"][0].update(status="make_up", answers=None), "member_{id}_made_up_on"),
        (lambda body: body["entries"][0].update(colour="blue"), "entries.0.colour"),
        (lambda body: body["entries"][0].update(note="x" * 1001), "entries.0.note"),
        (lambda body: body.update(held_on="2999-01-01"), "held_on"),
        (lambda body: body["entries"].pop(), None),
    ],
)
def test_a_bad_roster_is_refused_with_what_to_fix(facilitator_api, cast, change, field):
    group, members = cast
    body = _roster(members)
    change(body)
    answer = facilitator_api.put(_session_path(group), body)
    assert answer.status_code == 422, answer.content
    expected = field.format(id=members[0].pk) if field else None
    assert expected in fields(answer)
    assert not SessionAttendance.objects.exists()


def test_a_roster_that_is_not_json_is_a_400(facilitator_api, cast):
    group, _members = cast
    answer = facilitator_api.http.put(
        "/api/v1" + _session_path(group), "{held_on:", content_type="application/json", headers=facilitator_api.headers
    )
    assert answer.status_code == 400


def test_an_administrator_reads_the_roster_without_clinical_fields_and_may_not_record(admin_api, facilitator_api, cast):
    group, members = cast
    facilitator_api.put(_session_path(group), _roster(members, SELF_HARM))
    session = group.sessions.get(number=1)
    shown = admin_api.get(f"/group-sessions/{session.pk}").json()
    assert shown["note"] is None
    assert {row["status"] for row in shown["rows"]} == {"present"}
    assert {row["check_total"] for row in shown["rows"]} == {None}
    assert {row["critical_items"] for row in shown["rows"]} == {None}
    assert admin_api.put(_session_path(group), _roster(members)).status_code == 403
    clinical = facilitator_api.get(f"/group-sessions/{session.pk}").json()
    assert clinical["note"] == "Warm, settled group."


def test_the_supervising_clinician_clears_a_held_member_once_the_alert_is_closed(personas, facilitator_api, cast):
    group, members = cast
    facilitator_api.put(_session_path(group), _roster(members, SELF_HARM))
    member = members[0]
    clinician = api_as(personas.therapist_a, personas.org_a)
    body = {"note": "Safety plan made; may come back."}
    assert facilitator_api.post(f"/group-members/{member.pk}/clear", body).status_code == 403
    assert clinician.post(f"/group-members/{member.pk}/clear", body).status_code == 422  # the alert is open
    member.refresh_from_db()
    risk_alert_close(
        actor=personas.actor(personas.therapist_a),
        alert=member.held_alert,
        risk_level="low",
        assessment="Passive thoughts, no plan; supports at home.",
        action="safety_plan",
        action_detail="",
    )
    cleared = clinician.post(f"/group-members/{member.pk}/clear", body)
    assert (cleared.status_code, cleared.json()["held"]) == (200, False)


def test_a_dropout_and_a_plan_are_recorded(facilitator_api, cast):
    _group, members = cast
    plan = {"warning_signs": "Staying in bed", "plan": "Call my sister"}
    assert facilitator_api.post(f"/group-members/{members[1].pk}/plan", plan).json()["warning_plan"] == "Call my sister"
    dropped = facilitator_api.post(f"/group-members/{members[2].pk}/dropout", {"reason_code": "moved"}).json()
    assert (dropped["status"], dropped["dropout_reason"]) == ("dropped", "moved")


def _roster_queries(api, session_id: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(f"/group-sessions/{session_id}").status_code == 200
    return len(queries)


def test_the_roster_reads_in_a_fixed_number_of_queries(personas, facilitator_api, cast):
    group, members = cast
    facilitator_api.put(_session_path(group), _roster(members))
    session = group.sessions.get(number=1)
    small = _roster_queries(facilitator_api, session.pk)
    admin = personas.actor(personas.admin_a)
    joined_members(admin, personas.actor(personas.facilitator_a), group, make_clients(personas.org_a, 12, "M"))
    assert _roster_queries(facilitator_api, session.pk) == small
    members_small = facilitator_api.get(f"/groups/{group.pk}/members")
    assert len(members_small.json()) == 15
