"""Courses: the caseload, a client's courses, a course with where it stands, opening, phase changes, the phase
checklist, closing, and the whole record (read-only); the course services and the protocol rules decide."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from iptriad.accounts.permissions import Action, require
from iptriad.accounts.selectors import clinicians_of_organisation
from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_PLAIN_READ, ERRORS_READ, ERRORS_WRITE
from iptriad.api.retries import idempotent
from iptriad.api.schemas.common import Id, WithExtras
from iptriad.api.schemas.courses import (
    AdaptationOut,
    CaseloadCourseOut,
    CourseCloseIn,
    CourseDetailOut,
    CourseOpenIn,
    CourseOut,
    CourseRecordOut,
    NextSessionIn,
    PhaseChangeIn,
    TaskMarkIn,
    TaskMarkOut,
)
from iptriad.api.selectors import course_overview
from iptriad.clients.permissions import client_policy
from iptriad.clients.selectors import client_get
from iptriad.core.protocol import Phase, protocol
from iptriad.courses.models import Course
from iptriad.courses.permissions import course_policy
from iptriad.courses.selectors.course import caseload, course_get, courses_of_client
from iptriad.courses.selectors.course_page import CourseRecords, course_get_whole, course_records
from iptriad.courses.services.course import (
    ERROR_THERAPIST,
    course_change_phase,
    course_close,
    course_open,
    course_task_mark,
)
from iptriad.courses.services.sessions import course_next_session_set

router = Router(tags=["courses"])

CASELOAD_MAX = 500  # as the caseload page shows
# The course-open form offers a therapist only themselves; the API refuses the same choice in words.
ERROR_THERAPIST_NOT_SELF = "As a therapist you can only open a course that you run yourself."


@router.get(
    "/adaptations", response={200: list[AdaptationOut], **ERRORS_PLAIN_READ}, summary="List the adaptations of IPT"
)
def adaptation_list_api(request: HttpRequest) -> list[Any]:
    """The adaptations a course can follow (the `adaptation` of POST /clients/{id}/courses)."""
    actor_of(request)
    return list(protocol().adaptations)


@router.get("/caseload", response={200: list[CaseloadCourseOut], **ERRORS_PLAIN_READ}, summary="List the open courses")
def caseload_api(request: HttpRequest) -> list[Course]:
    """The caller's open courses (a supervisor: the organisation's), with sessions held and the last session."""
    actor = actor_of(request)
    require(course_policy, actor, Action.LIST)
    return list(caseload(actor=actor)[:CASELOAD_MAX])


@router.get(
    "/clients/{int:client_id}/courses",
    response={200: list[CourseOut], **ERRORS_READ},
    summary="List a client's courses",
)
def course_list_api(request: HttpRequest, client_id: Id) -> list[Course]:
    actor = actor_of(request)
    # The client first: another organisation's client is a 404 for every role, before any role check.
    client = client_get(actor=actor, client_id=client_id, action=Action.VIEW)
    require(course_policy, actor, Action.LIST)
    return list(courses_of_client(actor=actor, client=client).select_related("client"))


@router.post("/clients/{int:client_id}/courses", response={201: CourseOut, **ERRORS_WRITE}, summary="Open a course")
@idempotent
def course_open_api(request: HttpRequest, client_id: Id, payload: CourseOpenIn) -> Status[Course]:
    """The course starts in its adaptation's first phase (initial; maintenance for IPT-M) with the adaptation's
    default measure schedule."""
    actor = actor_of(request)
    client = client_get(actor=actor, client_id=client_id, action=Action.VIEW)
    require(course_policy, actor, Action.CREATE)
    therapist = None
    if payload.therapist is not None:
        if not client_policy.may_assign_any_therapist(actor) and payload.therapist != actor.user_id:
            raise ValidationError({"therapist": ERROR_THERAPIST_NOT_SELF})
        therapist = clinicians_of_organisation(organisation=actor.organisation).filter(pk=payload.therapist).first()
        if therapist is None:
            raise ValidationError({"therapist": ERROR_THERAPIST})
    course = course_open(
        actor=actor, client=client, adaptation=payload.adaptation, therapist=therapist, opened_on=payload.opened_on
    )
    return Status(201, course)


@router.get(
    "/courses/{int:course_id}",
    response={200: CourseDetailOut, **ERRORS_READ},
    summary="Read a course and where it stands",
)
def course_get_api(request: HttpRequest, course_id: Id) -> WithExtras:
    """The phase, the facts the protocol rules go by, the guide for the next session, the phase checklist, the
    phases it may move to now and what stands before the next one."""
    overview = course_overview(actor=actor_of(request), course_id=course_id)
    return WithExtras(overview.standing, course=overview.course, phase_changes=overview.phase_changes)


@router.post(
    "/courses/{int:course_id}/phase",
    response={200: CourseOut, **ERRORS_WRITE},
    summary="Move a course to its next phase",
)
def course_phase_api(request: HttpRequest, course_id: Id, payload: PhaseChangeIn) -> Course:
    """Refused with what to fix (422) when the protocol's conditions for the phase are not met."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    return course_change_phase(actor=actor, course=course, to_phase=Phase(payload.to_phase), note=payload.note)


@router.put(
    "/courses/{int:course_id}/next-session",
    response={200: CourseOut, **ERRORS_WRITE},
    summary="Plan the next session of a course",
)
def course_next_session_api(request: HttpRequest, course_id: Id, payload: NextSessionIn) -> Course:
    """Sets (or with null clears) the course's next planned session; refused (422) in the past or closed course."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    starts_at = payload.next_session_at
    if starts_at is not None and timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    return course_next_session_set(actor=actor, course=course, starts_at=starts_at)


@router.post("/courses/{int:course_id}/close", response={200: CourseOut, **ERRORS_WRITE}, summary="Close a course")
def course_close_api(request: HttpRequest, course_id: Id, payload: CourseCloseIn) -> Course:
    """`completed` needs the termination phase and a relapse-prevention plan; other reasons apply in any phase."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    return course_close(
        actor=actor, course=course, reason=payload.reason, note=payload.note, closed_on=payload.closed_on
    )


@router.post("/courses/{int:course_id}/tasks", response={200: TaskMarkOut, **ERRORS_WRITE}, summary="Tick a phase task")
def course_task_api(request: HttpRequest, course_id: Id, payload: TaskMarkIn) -> TaskMarkIn:
    """Tick (done: true) or untick a task of the course's current phase checklist."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    course_task_mark(actor=actor, course=course, task_id=payload.task_id, done=payload.done)
    return payload  # the answer repeats what was marked


@router.get(
    "/courses/{int:course_id}/record",
    response={200: CourseRecordOut, **ERRORS_READ},
    summary="Read a course's whole record",
    by_alias=True,  # foreign keys as "<name>_id" (ninja's model schemas alias them so)
)
def course_record_api(request: HttpRequest, course_id: Id) -> CourseRecords:
    """Assessment, inventory, timeline, triad, problem areas, goals, formulation, contract, sessions, termination
    review, relapse-prevention plan and maintenance plan, as recorded (read-only for now)."""
    actor = actor_of(request)
    # The course page's read of the whole course, with the sessions' free text, which the page's table leaves out.
    course = course_get_whole(actor=actor, course_id=course_id)
    return course_records(actor=actor, course=course, session_text=True)
