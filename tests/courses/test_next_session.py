"""The next planned session of a course: set, refused, cleared by recording it, asked for through the ContextKind."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.protocol import Phase
from iptriad.courses.models import Course
from iptriad.courses.models.sessions import Attendance, HomeworkReview, RiskCheck
from iptriad.courses.services.course import ERROR_NOT_OPEN
from iptriad.courses.services.sessions import (
    ERROR_NEXT_IN_PAST,
    ERROR_NEXT_TOO_FAR,
    SessionDetails,
    course_next_session_set,
    course_session_record,
)
from iptriad.measures import contexts
from tests.conftest import Personas, make_client
from tests.courses.factories import make_course

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def frozen_now(time_machine: Any) -> None:
    time_machine.move_to(NOW)


def _session(**changes: Any) -> SessionDetails:
    base = SessionDetails(
        held_on=dt.date(2026, 11, 26),
        attendance=Attendance.ATTENDED,
        homework_review=HomeworkReview.NONE_SET,
        risk_check=RiskCheck.NO_CONCERN,
    )
    return dataclasses.replace(base, **changes)


def test_a_next_session_is_planned_audited_and_cleared(personas: Personas) -> None:
    course = make_course(personas.client_a, personas.therapist_a)
    actor = personas.actor(personas.therapist_a)
    planned = NOW + dt.timedelta(days=7)
    course = course_next_session_set(actor=actor, course=course, starts_at=planned)
    assert Course.objects.get(pk=course.pk).next_session_at == planned
    assert contexts.next_session(course.treatment_context) == planned
    course_next_session_set(actor=actor, course=course, starts_at=None)
    assert contexts.next_session(course.treatment_context) is None
    events = AuditEvent.objects.filter(action=AuditAction.COURSE_NEXT_SESSION_SET, object_id=str(course.pk))
    assert [event.detail for event in events.order_by("pk")] == [{"planned": True}, {"planned": False}]


@pytest.mark.parametrize(
    ("starts_at", "error"),
    [
        (NOW - dt.timedelta(minutes=1), ERROR_NEXT_IN_PAST),
        (NOW + dt.timedelta(days=181), ERROR_NEXT_TOO_FAR),
    ],
    ids=["in the past", "too far ahead"],
)
def test_a_plan_in_the_past_or_too_far_ahead_is_refused(personas: Personas, starts_at: dt.datetime, error: str) -> None:
    course = make_course(personas.client_a, personas.therapist_a)
    with pytest.raises(ValidationError) as refused:
        course_next_session_set(actor=personas.actor(personas.therapist_a), course=course, starts_at=starts_at)
    assert refused.value.message_dict == {"next_session_at": [error]}
    assert Course.objects.get(pk=course.pk).next_session_at is None


def test_a_closed_course_or_another_therapist_cannot_plan(personas: Personas) -> None:
    course = make_course(personas.client_a, personas.therapist_a)
    with pytest.raises(PermissionDenied):
        course_next_session_set(
            actor=personas.actor(personas.therapist_a2), course=course, starts_at=NOW + dt.timedelta(days=1)
        )
    Course.objects.filter(pk=course.pk).update(phase=Phase.CLOSED, closed_on=dt.date(2026, 11, 1), end_reason="other")
    with pytest.raises(ValidationError, match=ERROR_NOT_OPEN):
        course_next_session_set(
            actor=personas.actor(personas.therapist_a), course=course, starts_at=NOW + dt.timedelta(days=1)
        )


def test_recording_the_planned_session_clears_the_plan_unless_the_next_is_given(personas: Personas) -> None:
    course = make_course(personas.client_a, personas.therapist_a)
    actor = personas.actor(personas.therapist_a)
    Course.objects.filter(pk=course.pk).update(next_session_at=NOW + dt.timedelta(hours=2))  # today, later
    course_session_record(actor=actor, course=course, details=_session())
    assert Course.objects.get(pk=course.pk).next_session_at is None
    following = NOW + dt.timedelta(days=7)
    course_session_record(actor=actor, course=course, details=_session(next_session_at=following))
    assert Course.objects.get(pk=course.pk).next_session_at == following


def test_a_next_session_given_with_a_session_is_checked_and_nothing_is_written_when_refused(
    personas: Personas,
) -> None:
    course = make_course(personas.client_a, personas.therapist_a)
    actor = personas.actor(personas.therapist_a)
    with pytest.raises(ValidationError) as refused:
        course_session_record(actor=actor, course=course, details=_session(next_session_at=NOW - dt.timedelta(days=1)))
    assert refused.value.message_dict == {"next_session_at": [ERROR_NEXT_IN_PAST]}
    assert not course.sessions.exists()


def test_the_planned_sessions_of_every_course_come_in_fixed_queries(personas: Personas) -> None:
    def planned() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            found = contexts.planned_sessions(start=NOW, end=NOW + dt.timedelta(days=3))
        return len(found), len(captured.captured_queries)

    for number in range(5):
        client = make_client(personas.org_a, f"P-{number}", personas.therapist_a)
        course = make_course(client, personas.therapist_a)
        Course.objects.filter(pk=course.pk).update(next_session_at=NOW + dt.timedelta(days=1, hours=number))
        if number == 0:
            one = planned()
    far = make_course(make_client(personas.org_a, "P-far", personas.therapist_a), personas.therapist_a)
    Course.objects.filter(pk=far.pk).update(next_session_at=NOW + dt.timedelta(days=5))  # outside the window
    five = planned()
    assert one[0] == 1
    assert five[0] == 5
    assert one[1] == five[1]
