"""The group services: set-up, the pre-group decision, a session's roster with checks and risk, holds, outreach."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.groups.models import GroupMember, GroupStatus, MemberStatus, OutreachTask, Referral, SessionAttendance
from iptriad.groups.services.members import (
    PreGroupDetails,
    member_add,
    member_clear,
    member_decide,
    member_drop,
    member_transfer,
    outreach_done,
    pre_group_record,
)
from iptriad.groups.services.sessions import RosterEntry, session_record
from iptriad.groups.services.setup import group_close
from iptriad.measures.models import Administration, AlertSource, RiskAlert
from iptriad.measures.services import risk_alert_close
from iptriad.notifications.models import Message
from tests.groups.factories import PHQ9_MODERATE, joined_members, make_clients, make_group

pytestmark = pytest.mark.django_db

SELF_HARM = [2, 2, 1, 1, 2, 1, 1, 1, 2]  # item 9 "more than half the days"


@pytest.fixture
def cast(personas):
    admin = personas.actor(personas.admin_a)
    facilitator = personas.actor(personas.facilitator_a)
    group = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a2)
    members = joined_members(admin, facilitator, group, make_clients(personas.org_a, 4))
    return admin, facilitator, group, members


def _present(members: list[GroupMember], answers: list[int] = PHQ9_MODERATE) -> list[RosterEntry]:
    return [RosterEntry(member_id=member.pk, status="present", answers=answers) for member in members]


def test_a_group_is_planned_from_its_format(personas):
    group = make_group(
        personas.actor(personas.admin_a), facilitator=personas.facilitator_a, supervisor=personas.therapist_a
    )
    phases = list(group.sessions.order_by("number").values_list("phase", flat=True))
    assert phases == ["initial"] + ["middle"] * 6 + ["termination"]
    dates = list(group.sessions.order_by("number").values_list("planned_on", flat=True))
    assert dates[1] - dates[0] == dt.timedelta(days=7)
    assert group.completed_at_least == 6


def test_a_facilitator_records_a_session_with_a_check_for_each_member_present(cast):
    _admin, facilitator, group, members = cast
    session = group.sessions.get(number=1)
    entries = [*_present(members[:3]), RosterEntry(member_id=members[3].pk, status="absent")]
    session_record(actor=facilitator, session=session, held_on=timezone.localdate(), entries=entries)
    rows = SessionAttendance.objects.filter(session=session)
    assert rows.count() == 4
    assert rows.filter(symptom_check__isnull=False).count() == 3
    checks = Administration.objects.filter(pk__in=rows.values("symptom_check"))
    assert {check.context_id for check in checks} == {member.treatment_context_id for member in members[:3]}
    group.refresh_from_db()
    assert group.status == GroupStatus.RUNNING


def test_saving_the_same_roster_again_records_no_second_check(cast):
    _admin, facilitator, group, members = cast
    session = group.sessions.get(number=1)
    session_record(actor=facilitator, session=session, held_on=timezone.localdate(), entries=_present(members))
    with pytest.raises(ValidationError, match="already has a symptom check"):
        session_record(actor=facilitator, session=session, held_on=timezone.localdate(), entries=_present(members))
    assert Administration.objects.filter(context__in=[m.treatment_context for m in members]).count() == 8  # 4 + 4


def test_a_roster_without_every_member_is_refused_and_nothing_is_written(cast):
    _admin, facilitator, group, members = cast
    session = group.sessions.get(number=1)
    with pytest.raises(ValidationError, match="missing"):
        session_record(actor=facilitator, session=session, held_on=timezone.localdate(), entries=_present(members[:2]))
    assert not SessionAttendance.objects.filter(session=session).exists()


def test_answers_for_an_absent_member_are_refused_not_dropped(cast):
    _admin, facilitator, group, members = cast
    entries = [*_present(members[:3]), RosterEntry(member_id=members[3].pk, status="absent", answers=PHQ9_MODERATE)]
    with pytest.raises(ValidationError) as refused:
        session_record(
            actor=facilitator, session=group.sessions.get(number=1), held_on=timezone.localdate(), entries=entries
        )
    assert f"member_{members[3].pk}_check" in refused.value.message_dict


def test_a_positive_self_harm_answer_alerts_the_supervising_clinician_and_holds_the_member(cast, personas):
    _admin, facilitator, group, members = cast
    entries = [*_present(members[:3]), RosterEntry(member_id=members[3].pk, status="present", answers=SELF_HARM)]
    session_record(
        actor=facilitator, session=group.sessions.get(number=1), held_on=timezone.localdate(), entries=entries
    )
    alert = RiskAlert.objects.get(client=members[3].client)
    assert alert.source == AlertSource.CRITICAL_ITEM
    assert alert.context_id == members[3].treatment_context_id
    member = type(members[3]).objects.get(pk=members[3].pk)
    assert member.is_held
    assert member.held_alert == alert
    referral = Referral.objects.get(member=member)
    assert referral.reason == "self_harm_answer"
    assert referral.alert == alert
    told = Message.objects.filter(to_user=personas.therapist_a2)
    assert told.exists(), "the supervising clinician is sent the alert"


def test_a_facilitators_concern_opens_an_alert_and_holds_the_member(cast):
    _admin, facilitator, group, members = cast
    entries = [
        *_present(members[:3]),
        RosterEntry(member_id=members[3].pk, status="present", risk_flag=True, concern="Spoke of giving things away"),
    ]
    session_record(
        actor=facilitator, session=group.sessions.get(number=1), held_on=timezone.localdate(), entries=entries
    )
    alert = RiskAlert.objects.get(client=members[3].client)
    assert alert.source == AlertSource.CLINICIAN_CONCERN
    assert "giving things away" in alert.summary
    assert type(members[3]).objects.get(pk=members[3].pk).is_held


def test_a_held_member_is_excused_until_the_clinician_closes_the_alert_and_clears_them(cast, personas):
    _admin, facilitator, group, members = cast
    held = members[3]
    entries = [*_present(members[:3]), RosterEntry(member_id=held.pk, status="present", answers=SELF_HARM)]
    session_record(
        actor=facilitator, session=group.sessions.get(number=1), held_on=timezone.localdate(), entries=entries
    )
    # At the next session the held member is not on the form: recorded excused.
    session_record(
        actor=facilitator,
        session=group.sessions.get(number=2),
        held_on=timezone.localdate(),
        entries=_present(members[:3]),
    )
    assert SessionAttendance.objects.get(session__number=2, member=held).status == "excused"
    clinician = personas.actor(personas.therapist_a2)
    held.refresh_from_db()
    with pytest.raises(ValidationError, match="Close the risk alert first"):
        member_clear(actor=clinician, member=held, note="Safe to return")
    with pytest.raises(PermissionDenied):
        member_clear(actor=facilitator, member=held, note="Safe to return")
    risk_alert_close(
        actor=clinician,
        alert=held.held_alert,
        risk_level="low",
        assessment="Passive thoughts, no plan; supports at home.",
        action="safety_plan",
        action_detail="",
    )
    member_clear(actor=clinician, member=held, note="Safety plan made; may return to the group.")
    held.refresh_from_db()
    assert not held.is_held


def test_two_missed_sessions_in_a_row_open_one_outreach_task(cast):
    _admin, facilitator, group, members = cast
    away = members[3]
    for number in (1, 2, 3):
        entries = [*_present(members[:3]), RosterEntry(member_id=away.pk, status="absent")]
        session_record(
            actor=facilitator, session=group.sessions.get(number=number), held_on=timezone.localdate(), entries=entries
        )
    tasks = OutreachTask.objects.filter(member=away)
    assert tasks.count() == 1
    assert tasks.get().session.number == 2
    outreach_done(actor=facilitator, task=tasks.get(), outcome="returning", note="Child was ill")
    assert OutreachTask.objects.get(member=away).done_at is not None


def test_sessions_are_recorded_in_order(cast):
    _admin, facilitator, group, members = cast
    with pytest.raises(ValidationError, match="Record session 1 first"):
        session_record(
            actor=facilitator,
            session=group.sessions.get(number=2),
            held_on=timezone.localdate(),
            entries=_present(members),
        )


def test_a_current_suicide_plan_at_pre_group_refers_instead_of_joining(personas):
    admin, facilitator = personas.actor(personas.admin_a), personas.actor(personas.facilitator_a)
    group = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a2)
    member = member_add(actor=admin, group=group, client=make_clients(personas.org_a, 1)[0])
    pre_group_record(
        actor=facilitator,
        member=member,
        details=PreGroupDetails(
            held_on=timezone.localdate(),
            screening_answers=PHQ9_MODERATE,
            problem_area="grief",
            goal="",
            note="",
            suicide_plan=True,
            recent_attempt=False,
        ),
    )
    assert RiskAlert.objects.filter(client=member.client, source=AlertSource.CLINICIAN_CONCERN).exists()
    with pytest.raises(ValidationError, match="does not join now"):
        member_decide(actor=facilitator, member=member, joins=True, consent_on=timezone.localdate())
    with pytest.raises(ValidationError, match="does not join now"):
        member_decide(actor=facilitator, member=member, joins=False, reason_code="declined")
    decided = member_decide(
        actor=facilitator,
        member=member,
        joins=False,
        reason_code="suicide_plan",
        referred_to="District mental health team",
    )
    assert decided.status == MemberStatus.NOT_JOINED
    assert Referral.objects.filter(
        member=member, reason="suicide_plan", referred_to="District mental health team"
    ).exists()


def test_facilitators_cannot_run_another_facilitators_group(personas, cast):
    _admin, _facilitator, group, _members = cast
    other = personas.actor(personas.therapist_a)  # neither facilitator nor supervising clinician of this group
    with pytest.raises(PermissionDenied):
        session_record(actor=other, session=group.sessions.get(number=1), held_on=timezone.localdate(), entries=[])


def test_dropout_transfer_and_closing(cast, personas):
    admin, facilitator, group, members = cast
    member_drop(actor=facilitator, member=members[0], reason_code="moved", note="Moved to the city")
    other = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a2, name="Thursday")
    moved = member_transfer(actor=admin, member=members[1], to_group=other)
    assert moved.treatment_context_id == members[1].treatment_context_id
    assert moved.status == MemberStatus.JOINED
    closed = group_close(actor=admin, group=group)
    assert closed.status == GroupStatus.CLOSED
    statuses = dict(group.members.values_list("pk", "status"))
    assert statuses[members[0].pk] == "dropped"
    assert statuses[members[1].pk] == "transferred"
    assert statuses[members[2].pk] == "finished"
    assert AuditEvent.objects.filter(action=AuditAction.GROUP_CLOSED).exists()
