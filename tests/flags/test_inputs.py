"""Every input of the rules reaches a refresh once its transaction commits: a test per input that the stored row
changes (through the services where a service writes it without save(), the alert acknowledgement and a group's
closing), and a rolled-back write that refreshes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from iptriad.core.flags import FlagCode
from iptriad.courses.models import Course, CourseSession, TreatmentContract
from iptriad.flags.models import ContextFlags
from iptriad.flags.services import flags_refresh
from iptriad.groups.models import GroupMember, MemberStatus
from iptriad.groups.services.setup import group_close
from iptriad.measures.models import MeasureSchedule, Occasion, RiskAlert
from iptriad.measures.services import (
    administration_record,
    risk_alert_acknowledge,
    risk_alert_close,
    risk_alert_open_concern,
)
from iptriad.supervision.models import SupervisionEntry
from tests.flags.builders import ATTENDED, NO_SHOW, attend, course_with_history, review
from tests.groups.factories import group_records

pytestmark = pytest.mark.django_db
PHQ9_18 = [3, 3, 2, 2, 2, 2, 2, 2, 0]  # 18, item 9 "not at all"


def codes_of(context_id: int) -> list[str]:
    row = ContextFlags.objects.filter(treatment_context_id=context_id).first()
    return [entry["code"] for entry in row.flags] if row else []


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def course(personas, today):
    return course_with_history(
        personas.client_a,
        personas.therapist_a,
        opened_on=today - dt.timedelta(weeks=5),
        phq9=[(0, 20)],
        sessions=[ATTENDED],
    )


@pytest.fixture
def member(personas):
    return group_records(
        personas.org_a, facilitator=personas.facilitator_a, supervisor=personas.therapist_a, identifier="G-IN"
    ).member


def test_an_administration_refreshes(personas, course, committed):
    with committed() as callbacks:
        administration_record(
            actor=personas.actor(personas.therapist_a),
            client=personas.client_a,
            code="phq9",
            answers=PHQ9_18,
            context=course.treatment_context,
        )
    assert len(callbacks) == 1
    assert FlagCode.EARLY_NON_RESPONSE in codes_of(course.treatment_context_id)


def test_an_alert_opened_acknowledged_and_closed_each_refresh(personas, course, committed):
    therapist = personas.actor(personas.therapist_a)
    with committed():
        alert = risk_alert_open_concern(
            actor=therapist,
            client=personas.client_a,
            concern="Said life is pointless.",
            context=course.treatment_context,
        )
    assert codes_of(course.treatment_context_id)[:2] == [FlagCode.SELF_HARM, FlagCode.ALERT_UNACKNOWLEDGED]
    with committed() as callbacks:
        assert risk_alert_acknowledge(actor=therapist, alert=alert)  # a conditional update: no post_save
    assert callbacks
    assert FlagCode.ALERT_UNACKNOWLEDGED not in codes_of(course.treatment_context_id)
    with committed():
        risk_alert_close(
            actor=therapist,
            alert=RiskAlert.objects.get(pk=alert.pk),
            risk_level="low",
            assessment="No plan; protective factors.",
            action="safety_plan",
            action_detail="",
        )
    assert FlagCode.SELF_HARM not in codes_of(course.treatment_context_id)


def test_a_course_session_refreshes(personas, course, today, committed):
    with committed():
        for number in (2, 3):
            CourseSession.objects.create(
                organisation_id=course.organisation_id,
                course=course,
                number=number,
                phase="middle",
                occasion=Occasion.objects.create(
                    organisation_id=course.organisation_id, context_id=course.treatment_context_id
                ),
                held_on=today - dt.timedelta(days=7 * (3 - number)),
                attendance=NO_SHOW,
                recorded_by=personas.therapist_a,
            )
    assert FlagCode.MISSED_SESSIONS in codes_of(course.treatment_context_id)


def test_the_contract_refreshes(personas, today, committed):
    course = course_with_history(
        personas.client_a,
        personas.therapist_a,
        opened_on=today - dt.timedelta(weeks=6),
        phq9=[(0, 20), (6, 15)],
        sessions=[ATTENDED] * 4,
        planned=12,
    )
    flags_refresh([course.treatment_context_id])
    assert FlagCode.NO_RESPONSE_AT_MIDPOINT not in codes_of(course.treatment_context_id)
    contract = TreatmentContract.objects.get(course=course)
    contract.sessions_planned = 8
    with committed():
        contract.save()
    assert FlagCode.NO_RESPONSE_AT_MIDPOINT in codes_of(course.treatment_context_id)


def test_closing_a_course_refreshes(personas, course, today, committed):
    flags_refresh([course.treatment_context_id])
    course = Course.objects.get(pk=course.pk)
    course.phase, course.closed_on, course.end_reason = "closed", today, "completed"
    with committed():
        course.save()
    assert ContextFlags.objects.get(treatment_context_id=course.treatment_context_id).active is False


def test_a_measure_schedule_refreshes(personas, course, committed):
    flags_refresh([course.treatment_context_id])
    assert FlagCode.OVERDUE_MEASURES not in codes_of(course.treatment_context_id)
    with committed():
        MeasureSchedule.objects.create(
            organisation_id=course.organisation_id,
            context_id=course.treatment_context_id,
            instrument_code="phq9",
            cadence="every_session",
        )
    assert FlagCode.OVERDUE_MEASURES in codes_of(course.treatment_context_id)


def test_a_reviewed_case_and_its_entry_s_date_refresh(personas, course, today, committed):
    flags_refresh([course.treatment_context_id])
    assert FlagCode.NO_SUPERVISORY_REVIEW in codes_of(course.treatment_context_id)
    with committed():
        case = review(course.treatment_context_id, course.client_id, personas.therapist_a, personas.supervisor_a, today)
    assert FlagCode.NO_SUPERVISORY_REVIEW not in codes_of(course.treatment_context_id)
    entry = SupervisionEntry.objects.get(pk=case.entry_id)
    entry.held_on = today - dt.timedelta(days=20)
    with committed():
        entry.save()
    row = ContextFlags.objects.get(treatment_context_id=course.treatment_context_id)
    assert row.last_review_on == today - dt.timedelta(days=20)
    assert FlagCode.NO_SUPERVISORY_REVIEW in codes_of(course.treatment_context_id)


def test_group_attendance_refreshes(personas, member, committed):
    # The factory's first session is an absence already; a second in a row fires the flag.
    with committed():
        attend(member, ["absent"], personas.facilitator_a)
    assert FlagCode.MISSED_SESSIONS in codes_of(member.treatment_context_id)


def test_a_member_s_status_and_the_group_s_facilitator_refresh(personas, member, committed):
    flags_refresh([member.treatment_context_id])
    group = member.group
    group.facilitator = personas.therapist_a2
    with committed():
        group.save()
    assert ContextFlags.objects.get(treatment_context_id=member.treatment_context_id).clinician == personas.therapist_a2
    member = GroupMember.objects.get(pk=member.pk)
    member.status, member.dropout_reason, member.left_on = MemberStatus.DROPPED, "lost_contact", timezone.localdate()
    with committed():
        member.save()
    assert ContextFlags.objects.get(treatment_context_id=member.treatment_context_id).active is False


def test_closing_a_group_refreshes_its_members(personas, member, committed):
    flags_refresh([member.treatment_context_id])
    with committed():
        group_close(actor=personas.actor(personas.admin_a), group=member.group)  # members updated in bulk
    assert ContextFlags.objects.get(treatment_context_id=member.treatment_context_id).active is False


def test_many_writes_in_one_transaction_refresh_once(personas, member, committed):
    with committed() as callbacks:
        attend(member, ["absent", "absent", "present"], personas.facilitator_a)
    assert len(callbacks) == 1


def test_a_rolled_back_write_refreshes_nothing_and_the_next_one_still_does(personas, course, committed):
    with committed() as callbacks:
        try:
            with transaction.atomic():
                MeasureSchedule.objects.create(
                    organisation_id=course.organisation_id,
                    context_id=course.treatment_context_id,
                    instrument_code="phq9",
                    cadence="every_session",
                )
                raise RuntimeError("undo")
        except RuntimeError:
            pass
        MeasureSchedule.objects.create(
            organisation_id=course.organisation_id,
            context_id=course.treatment_context_id,
            instrument_code="gad7",
            cadence="every_session",
        )
    assert len(callbacks) == 1
    assert FlagCode.OVERDUE_MEASURES in codes_of(course.treatment_context_id)


def test_a_self_harm_answer_with_a_blank_item_stands_and_alerts_when_the_flags_refresh_breaks(
    personas, course, committed, monkeypatch
):
    """The flags are decision support on top of the alert: their failure must never cost the answer or the alert."""
    from iptriad.flags import services

    def broken(*args, **kwargs):
        raise RuntimeError("the flags store is down")

    monkeypatch.setattr(services, "flags_refresh", broken)
    answers = [1, None, 1, 1, 1, 1, 1, 1, 2]  # item 2 left blank, item 9 "More than half the days"
    with committed():
        administration = administration_record(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=answers
        )
    alert = RiskAlert.objects.get(administration=administration)
    assert alert.is_open
    assert alert.item_number == 9
    row = ContextFlags.objects.filter(treatment_context_id=course.treatment_context_id).first()
    assert row is None or row.recheck_on == timezone.localdate()  # picked up by the daily recheck


def test_a_self_harm_answer_stands_and_alerts_when_the_flags_and_the_outcome_refreshes_both_break(
    personas, course, committed, monkeypatch
):
    """Both derived stores run after the commit of the answer; neither failing, nor both, may cost the alert."""
    from iptriad.flags import services as flags_services
    from iptriad.outcomes import services as outcomes_services

    def broken(*args, **kwargs):
        raise RuntimeError("the store is down")

    monkeypatch.setattr(flags_services, "flags_refresh", broken)
    monkeypatch.setattr(outcomes_services, "outcomes_refresh", broken)
    answers = [1, None, 1, 1, 1, 1, 1, 1, 3]  # item 2 left blank, item 9 "Nearly every day"
    with committed():
        administration = administration_record(
            actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=answers
        )
    alert = RiskAlert.objects.get(administration=administration)
    assert alert.is_open
    assert alert.item_number == 9
