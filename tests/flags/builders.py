"""Courses and group episodes with the histories the rules read, written straight in the database (fast, and
independent of the services whose receivers the input tests exercise)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.utils import timezone

from iptriad.accounts.models import User
from iptriad.clients.models import Client
from iptriad.courses.models import Course, CourseSession, TreatmentContract
from iptriad.courses.models.sessions import Attendance
from iptriad.groups.models import GroupMember, SessionAttendance
from iptriad.measures.models import Administration, Mode, Occasion, RiskAlert, TreatmentContext
from iptriad.supervision.models import ReviewedCase, SupervisionEntry
from tests.courses.factories import make_course


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


def course_with_history(
    client: Client,
    therapist: User,
    *,
    opened_on: dt.date,
    phq9: Sequence[tuple[int, int]] = (),  # (week, total)
    sessions: Sequence[str] = (),  # attendance of sessions 1, 2, ... a week apart
    planned: int | None = 12,
) -> Course:
    course = make_course(client, therapist)
    Course.objects.filter(pk=course.pk).update(opened_on=opened_on)
    course.refresh_from_db()
    org = course.organisation_id
    if planned is not None:
        TreatmentContract.objects.create(
            organisation_id=org,
            course=course,
            sessions_planned=planned,
            starts_on=opened_on,
            planned_end_on=opened_on + dt.timedelta(weeks=planned),
        )
    for week, total in phq9:
        score(course, opened_on + dt.timedelta(weeks=week), total)
    for number, attendance in enumerate(sessions, start=1):
        CourseSession.objects.create(
            organisation_id=org,
            course=course,
            number=number,
            occasion=Occasion.objects.create(organisation_id=org, context_id=course.treatment_context_id),
            held_on=opened_on + dt.timedelta(weeks=number),
            phase="middle",
            attendance=attendance,
            recorded_by=therapist,
        )
    return course


def score(course: Course, day: dt.date, total: int) -> Administration:
    return Administration.objects.create(
        organisation_id=course.organisation_id,
        client_id=course.client_id,
        context_id=course.treatment_context_id,
        instrument_code="phq9",
        instrument_version="1",
        mode=Mode.IN_SESSION,
        completed_at=at(day),
        total=Decimal(total),
        valid=True,
    )


def open_alert(course: Course, *, acknowledged: bool = False) -> RiskAlert:
    return RiskAlert.objects.create(
        organisation_id=course.organisation_id,
        client_id=course.client_id,
        source="clinician_concern",
        context_id=course.treatment_context_id,
        summary="Concern raised in session.",
        acknowledged_at=timezone.now() if acknowledged else None,
    )


def review(context_id: int, client_id: int, clinician: User, supervisor: User, held_on: dt.date) -> ReviewedCase:
    entry = SupervisionEntry.objects.create(
        organisation_id=TreatmentContext.objects.get(pk=context_id).organisation_id,
        held_on=held_on,
        led_by=supervisor,
        recorded_by=supervisor,
    )
    return ReviewedCase.objects.create(
        organisation_id=entry.organisation_id,
        entry=entry,
        treatment_context_id=context_id,
        client_id=client_id,
        clinician=clinician,
    )


def attend(member: GroupMember, statuses: list[str], recorder: User) -> list[SessionAttendance]:
    """The member's attendance at the group's next sessions (after any recorded), each held as planned."""
    rows = []
    recorded = SessionAttendance.objects.filter(member=member).values("session_id")
    upcoming = member.group.sessions.exclude(pk__in=recorded).order_by("number")
    for session, status in zip(upcoming, statuses, strict=False):
        if session.held_on is None:
            session.held_on = session.planned_on
            session.save(update_fields=["held_on"])
        rows.append(
            SessionAttendance.objects.create(
                organisation_id=member.organisation_id,
                session=session,
                member=member,
                status=status,
                occasion=Occasion.objects.create(
                    organisation_id=member.organisation_id, context_id=member.treatment_context_id
                ),
                recorded_by=recorder,
            )
        )
    return rows


ATTENDED = Attendance.ATTENDED
NO_SHOW = Attendance.NO_SHOW
CANCELLED = Attendance.CANCELLED
