"""The pages about one member of a group: who sees what, the pre-group flow, the decision, clearing, leaving,
the plan, referrals and outreach, the client record's section, and fixed query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from iptriad.accounts.models import Role
from iptriad.groups.models import Group, GroupMember, MemberStatus, OutreachTask, Referral
from iptriad.groups.services.members import member_add
from iptriad.groups.services.sessions import RosterEntry, session_record
from iptriad.measures.models import Administration, RiskAlert
from iptriad.measures.services import risk_alert_close
from tests.conftest import Personas, logged_in, make_user
from tests.groups.factories import PHQ9_MODERATE, joined_members, make_clients, make_group

pytestmark = pytest.mark.django_db

SELF_HARM = [2, 2, 1, 1, 2, 1, 1, 1, 2]  # item 9 "more than half the days"
GOAL = "Talk with my sister again"  # the factories' goal: clinical content


@pytest.fixture
def cast(personas):
    """Organisation A's group, led by facilitator_a and supervised by therapist_a, with two joined members."""
    admin = personas.actor(personas.admin_a)
    group = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a)
    members = joined_members(admin, personas.actor(personas.facilitator_a), group, make_clients(personas.org_a, 2))
    return group, members


def _record(
    personas: Personas, group: Group, members: list[GroupMember], count: int, answers: list[int] = PHQ9_MODERATE
) -> None:
    facilitator = personas.actor(personas.facilitator_a)
    for session in group.sessions.order_by("number")[:count]:
        entries = [RosterEntry(member_id=member.pk, status="present", answers=answers) for member in members]
        session_record(actor=facilitator, session=session, held_on=session.planned_on, entries=entries)


def _url(name: str, pk: int) -> str:
    return reverse(name, args=[pk])


def _pre_group_form(**overrides: str) -> dict[str, str]:
    form = {f"item_{number}": str(answer) for number, answer in enumerate(PHQ9_MODERATE, start=1)}
    form |= {
        "held_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "problem_area": "grief",
        "goal": "Visit my mother's grave with my brother",
        "note": "Low since her mother died in March.",
        "suicide_plan": "no",
        "recent_attempt": "no",
    }
    return form | overrides


# --- Who sees what ------------------------------------------------------------------------------------------------


def test_the_clinical_roles_see_the_whole_member_page(personas, cast):
    group, members = cast
    _record(personas, group, members, 2)
    for user in (personas.facilitator_a, personas.therapist_a, personas.supervisor_a):
        response = logged_in(user).get(_url("groups_member", members[0].pk))
        assert response.status_code == 200
        content = response.content.decode()
        assert members[0].client.given_name in content
        assert GOAL in content
        assert "Disputes" in content  # the problem area in lay words
        assert "2 of 2 held so far" in content
        assert "<svg" in content
        assert "<polyline" in content
        assert reverse("groups_detail", args=[group.pk]) in content


def test_an_administrator_sees_attendance_and_no_clinical_content(personas, cast):
    group, members = cast
    _record(personas, group, members, 1)
    response = logged_in(personas.admin_a).get(_url("groups_member", members[0].pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert members[0].client.given_name in content
    assert "Present" in content
    assert GOAL not in content
    assert "Symptom check" not in content
    assert "<svg" not in content
    assert "Pre-group meeting" not in content


@pytest.mark.parametrize("who", ["other_facilitator", "other_therapist", "organisation_b"])
def test_someone_outside_the_group_gets_404_on_every_member_page(personas, cast, who):
    _group, members = cast
    member = members[0]
    if who == "other_facilitator":
        user = make_user("f2@a.example", "Other Facilitator", personas.org_a, Role.FACILITATOR)
    else:
        user = personas.therapist_a2 if who == "other_therapist" else personas.therapist_b
    referral = Referral.objects.create(
        organisation_id=member.organisation_id, member=member, reason="other", referred_to="Clinic", made_by=user
    )
    http = logged_in(user)
    for name in ("groups_member", "groups_pre_group", "groups_decision", "groups_member_drop", "groups_member_plan"):
        assert http.get(_url(name, member.pk)).status_code == 404, name
    assert http.get(_url("groups_referral_follow_up", referral.pk)).status_code == 404


def test_an_administrator_gets_404_on_the_clinical_forms(personas, cast):
    _group, members = cast
    http = logged_in(personas.admin_a)
    for name in (
        "groups_pre_group",
        "groups_decision",
        "groups_member_clear",
        "groups_member_drop",
        "groups_member_plan",
    ):
        assert http.get(_url(name, members[0].pk)).status_code == 404, name
        assert http.post(_url(name, members[0].pk), {"note": "x"}).status_code == 404, name


def test_a_facilitator_may_not_clear_or_follow_up(personas, cast):
    _group, members = cast
    referral = Referral.objects.create(
        organisation_id=members[0].organisation_id,
        member=members[0],
        reason="other",
        referred_to="Clinic",
        made_by=personas.facilitator_a,
    )
    http = logged_in(personas.facilitator_a)
    assert http.get(_url("groups_member_clear", members[0].pk)).status_code == 404
    assert http.get(_url("groups_referral_follow_up", referral.pk)).status_code == 404
    assert logged_in(personas.therapist_a).get(_url("groups_referral_follow_up", referral.pk)).status_code == 200


def test_the_member_page_runs_a_fixed_number_of_queries(personas, cast):
    group, members = cast
    http = logged_in(personas.therapist_a)
    url = _url("groups_member", members[0].pk)
    counts = []
    for sessions in (1, 8):
        already = group.sessions.filter(held_on__isnull=False).count()
        facilitator = personas.actor(personas.facilitator_a)
        for session in group.sessions.order_by("number")[already:sessions]:
            entries = [RosterEntry(member_id=member.pk, status="present", answers=PHQ9_MODERATE) for member in members]
            session_record(actor=facilitator, session=session, held_on=session.planned_on, entries=entries)
        http.get(url)  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            response = http.get(url)
        assert response.status_code == 200
        assert response.content.decode().count('<td data-label="Session">') == sessions
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- The pre-group meeting and the decision -----------------------------------------------------------------------


@pytest.fixture
def awaiting(personas):
    admin = personas.actor(personas.admin_a)
    group = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a)
    (client,) = make_clients(personas.org_a, 1, prefix="P")
    return member_add(actor=admin, group=group, client=client)


def test_the_pre_group_page_shows_the_questionnaire_and_the_guide(personas, awaiting):
    response = logged_in(personas.facilitator_a).get(_url("groups_pre_group", awaiting.pk))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="item_9"' in content
    assert 'name="suicide_plan"' in content
    assert "Pre-group meeting (one to one)" in content
    assert "Loneliness and social isolation" in content
    assert 'name="once_key"' in content
    assert re.search(r'name="goal"[^>]*maxlength="1000"', content)


def test_a_bad_pre_group_form_shows_errors_and_writes_nothing(personas, awaiting):
    http = logged_in(personas.facilitator_a)
    response = http.post(_url("groups_pre_group", awaiting.pk), _pre_group_form(goal="", suicide_plan=""))
    assert response.status_code == 400
    assert "Answer this safety question." in response.content.decode()
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = http.post(_url("groups_pre_group", awaiting.pk), _pre_group_form(held_on=future))
    assert response.status_code == 400
    assert Administration.objects.filter(client=awaiting.client).count() == 0
    awaiting.refresh_from_db()
    assert awaiting.pre_group_on is None


def test_a_pre_group_meeting_then_joining(personas, awaiting):
    http = logged_in(personas.facilitator_a)
    response = http.post(_url("groups_pre_group", awaiting.pk), _pre_group_form())
    assert response.status_code == 302
    assert response["Location"] == _url("groups_decision", awaiting.pk)
    response = http.post(
        _url("groups_decision", awaiting.pk), {"joins": "yes", "consent_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.status == MemberStatus.JOINED


def test_joining_without_a_consent_date_is_refused(personas, awaiting):
    http = logged_in(personas.facilitator_a)
    http.post(_url("groups_pre_group", awaiting.pk), _pre_group_form())
    response = http.post(_url("groups_decision", awaiting.pk), {"joins": "yes"})
    assert response.status_code == 400
    assert "consented" in response.content.decode()
    awaiting.refresh_from_db()
    assert awaiting.status == MemberStatus.SCREENING


def test_a_current_suicide_plan_ends_in_did_not_join_referred(personas, awaiting):
    http = logged_in(personas.facilitator_a)
    response = http.post(_url("groups_pre_group", awaiting.pk), _pre_group_form(suicide_plan="yes"))
    assert response.status_code == 302
    assert response["Location"] == _url("groups_member", awaiting.pk)
    page = http.get(response["Location"]).content.decode()
    assert "Held for clinical review since" in page
    assert "You do not need to judge how serious the risk is" in page
    assert personas.org_a.crisis_contacts.splitlines()[0] in page
    assert "alerts/" not in page  # the facilitator is not sent to the alert
    decision = http.get(_url("groups_decision", awaiting.pk)).content.decode()
    assert "only the reasons that refer them are offered" in decision
    assert 'value="declined"' not in decision
    assert 'value="suicide_plan"' in decision
    response = http.post(
        _url("groups_decision", awaiting.pk),
        {"joins": "no", "reason_code": "suicide_plan", "referred_to": "Dr Mensah, district clinic"},
    )
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.status == MemberStatus.NOT_JOINED
    assert awaiting.not_joining_reason == "suicide_plan"
    page = logged_in(personas.therapist_a).get(_url("groups_member", awaiting.pk)).content.decode()
    assert "Did not join" in page
    assert "Dr Mensah, district clinic" in page
    assert "Record the follow-up" in page


def test_a_declining_reason_is_refused_after_a_yes_to_a_safety_question(personas, awaiting):
    http = logged_in(personas.facilitator_a)
    http.post(_url("groups_pre_group", awaiting.pk), _pre_group_form(recent_attempt="yes"))
    response = http.post(_url("groups_decision", awaiting.pk), {"joins": "no", "reason_code": "declined"})
    assert response.status_code == 400
    awaiting.refresh_from_db()
    assert awaiting.status == MemberStatus.SCREENING


# --- Held, cleared ------------------------------------------------------------------------------------------------


def test_clearing_is_refused_while_the_alert_is_open_then_works(personas, cast):
    group, members = cast
    held = members[0]
    facilitator = personas.actor(personas.facilitator_a)
    session = group.sessions.get(number=1)
    entries = [
        RosterEntry(member_id=held.pk, status="present", answers=SELF_HARM),
        RosterEntry(member_id=members[1].pk, status="present", answers=PHQ9_MODERATE),
    ]
    session_record(actor=facilitator, session=session, held_on=session.planned_on, entries=entries)
    held.refresh_from_db()
    assert held.is_held
    clinician = logged_in(personas.therapist_a)
    page = clinician.get(_url("groups_member", held.pk)).content.decode()
    assert "Held for clinical review since" in page
    assert _url("alert-detail", held.held_alert_id) in page
    assert "Self-harm item answered" in page
    response = clinician.post(_url("groups_member_clear", held.pk), {"note": "Safe to return"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Close the risk alert first" in content
    assert _url("alert-detail", held.held_alert_id) in content
    held.refresh_from_db()
    assert held.is_held
    response = clinician.post(_url("groups_member_clear", held.pk), {"note": ""})
    assert response.status_code == 400
    risk_alert_close(
        actor=personas.actor(personas.therapist_a),
        alert=RiskAlert.objects.get(pk=held.held_alert_id),
        risk_level="low",
        assessment="Passive thoughts, no plan; supports at home.",
        action="safety_plan",
        action_detail="",
    )
    response = clinician.post(_url("groups_member_clear", held.pk), {"note": "Safety plan made; may return."})
    assert response.status_code == 302
    held.refresh_from_db()
    assert not held.is_held
    assert "Safety plan made; may return." in clinician.get(_url("groups_member", held.pk)).content.decode()


# --- Leaving, the plan, referrals, outreach -------------------------------------------------------------------------


def test_a_dropout_needs_a_reason(personas, cast):
    _group, members = cast
    http = logged_in(personas.facilitator_a)
    assert http.post(_url("groups_member_drop", members[0].pk), {"reason_code": "nonsense"}).status_code == 400
    members[0].refresh_from_db()
    assert members[0].status == MemberStatus.JOINED
    response = http.post(_url("groups_member_drop", members[0].pk), {"reason_code": "moved", "note": "To the city"})
    assert response.status_code == 302
    members[0].refresh_from_db()
    assert members[0].status == MemberStatus.DROPPED


def test_the_plan_is_offered_in_the_termination_phase_and_saved(personas, cast):
    group, members = cast
    http = logged_in(personas.facilitator_a)
    url = _url("groups_member", members[0].pk)
    group.sessions.filter(phase="termination").update(planned_on=timezone.localdate() + dt.timedelta(days=7))
    assert _url("groups_member_plan", members[0].pk) not in http.get(url).content.decode()
    group.sessions.filter(phase="termination").update(planned_on=timezone.localdate())
    assert _url("groups_member_plan", members[0].pk) in http.get(url).content.decode()
    plan_url = _url("groups_member_plan", members[0].pk)
    assert http.post(plan_url, {"warning_signs": "", "plan": "x"}).status_code == 400
    response = http.post(plan_url, {"warning_signs": "Not sleeping", "plan": "Call my sister"})
    assert response.status_code == 302
    assert "Call my sister" in http.get(url).content.decode()


def test_a_referral_follow_up(personas, cast):
    _group, members = cast
    referral = Referral.objects.create(
        organisation_id=members[0].organisation_id,
        member=members[0],
        reason="other",
        referred_to="Clinic",
        made_by=personas.facilitator_a,
    )
    http = logged_in(personas.supervisor_a)
    url = _url("groups_referral_follow_up", referral.pk)
    assert http.post(url, {"follow_up": ""}).status_code == 400
    assert http.post(url, {"follow_up": "Seen at the clinic on Monday."}).status_code == 302
    referral.refresh_from_db()
    assert referral.follow_up == "Seen at the clinic on Monday."


def test_outreach_after_two_misses_then_not_coming_back_offers_the_dropout_form(personas, cast):
    group, members = cast
    facilitator = personas.actor(personas.facilitator_a)
    for session in group.sessions.order_by("number")[:2]:
        entries = [
            RosterEntry(member_id=members[0].pk, status="absent"),
            RosterEntry(member_id=members[1].pk, status="present", answers=PHQ9_MODERATE),
        ]
        session_record(actor=facilitator, session=session, held_on=session.planned_on, entries=entries)
    task = OutreachTask.objects.get(member=members[0])
    http = logged_in(personas.facilitator_a)
    url = _url("groups_outreach_done", task.pk)
    page = http.get(url).content.decode()
    assert members[0].client.given_name in page
    assert "Session 1" in page
    assert "Session 2" in page
    assert http.post(url, {"outcome": "maybe"}).status_code == 400
    response = http.post(url, {"outcome": "not_returning", "note": "Moved to her aunt's"})
    assert response.status_code == 302
    assert response["Location"] == _url("groups_member_drop", members[0].pk)
    task.refresh_from_db()
    assert task.outcome == "not_returning"


# --- The client record page --------------------------------------------------------------------------------------


def test_the_client_record_lists_group_memberships(personas, cast):
    group, members = cast
    session = group.sessions.get(number=1)
    entries = [
        RosterEntry(member_id=members[0].pk, status="present", answers=SELF_HARM),
        RosterEntry(member_id=members[1].pk, status="absent"),
    ]
    session_record(
        actor=personas.actor(personas.facilitator_a), session=session, held_on=session.planned_on, entries=entries
    )
    client = members[0].client
    client.therapist = personas.therapist_a2
    client.save(update_fields=["therapist"])
    url = reverse("client-detail", args=[client.pk])
    therapist_page = logged_in(personas.therapist_a2).get(url).content.decode()
    assert "Group IPT" in therapist_page
    assert escape(group.name) in therapist_page
    assert "1 of 1 sessions attended" in therapist_page
    assert "Held for clinical review" in therapist_page
    assert _url("groups_member", members[0].pk) not in therapist_page  # not their group
    admin_page = logged_in(personas.admin_a).get(url).content.decode()
    assert escape(group.name) in admin_page
    assert "1 of 1 sessions attended" in admin_page
    assert "Held for clinical review" not in admin_page


def test_the_client_record_section_is_one_query(personas, cast):
    from iptriad.groups.client_sections import client_groups

    _group, members = cast
    actor, client = personas.actor(personas.supervisor_a), members[0].client
    with CaptureQueriesContext(connection) as queries:
        section = client_groups(actor, client)
    assert section is not None
    assert len(section["rows"]) == 1
    assert len(queries) == 1
