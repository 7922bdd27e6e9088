"""The sessions of a course: list, record, read, correct. The course selectors find them (a colleague's or another
organisation's is a 404); iptriad.courses.services.sessions numbers a session, checks it and, for a risk concern,
opens a risk alert in the same transaction, audited, as the session pages do."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_READ, ERRORS_WRITE
from iptriad.api.retries import idempotent
from iptriad.api.schemas.common import Id, WithExtras
from iptriad.api.schemas.sessions import SessionIn, SessionItemOut, SessionPatch, SessionSavedOut, SessionSummaryOut
from iptriad.core.details import details_from
from iptriad.courses.models import CourseSession
from iptriad.courses.selectors.course import course_get, course_get_for_view
from iptriad.courses.selectors.sessions import course_session_get, course_session_get_for_view, course_sessions
from iptriad.courses.services.sessions import (
    RECORDED_FIELDS,
    SessionDetails,
    SessionSaved,
    course_session_record,
    course_session_update,
)

router = Router(tags=["course: sessions"], by_alias=True)  # foreign keys as "<name>_id"


def _details(values: dict[str, Any]) -> SessionDetails:
    return details_from(
        SessionDetails, values, strategies=tuple(values["strategies"]), techniques=tuple(values["techniques"])
    )


def _saved(saved: SessionSaved) -> WithExtras:
    return WithExtras(saved.session, alert_id=saved.alert.pk if saved.alert is not None else None)


@router.get(
    "/courses/{int:course_id}/sessions",
    response={200: list[SessionSummaryOut], **ERRORS_READ},
    summary="List a course's sessions",
)
def session_list_api(request: HttpRequest, course_id: Id) -> list[CourseSession]:
    """In number order (cancelled and missed sessions have numbers too), without their free text."""
    actor = actor_of(request)
    course = course_get_for_view(actor=actor, course_id=course_id)
    return course_sessions(actor=actor, course=course)


@router.post(
    "/courses/{int:course_id}/sessions",
    response={201: SessionSavedOut, **ERRORS_WRITE},
    summary="Record a session",
)
@idempotent
def session_record_api(request: HttpRequest, course_id: Id, payload: SessionIn) -> Status[WithExtras]:
    """The next session of an open course: the service gives its number and phase. A risk check of `concern`
    (with `concern` described) opens a risk alert in the same transaction: its id is `alert_id`."""
    actor = actor_of(request)
    course = course_get(actor=actor, course_id=course_id)
    saved = course_session_record(actor=actor, course=course, details=_details(payload.model_dump()))
    return Status(201, _saved(saved))


@router.get("/sessions/{int:session_id}", response={200: SessionItemOut, **ERRORS_READ}, summary="Read a session")
def session_get_api(request: HttpRequest, session_id: Id) -> CourseSession:
    return course_session_get_for_view(actor=actor_of(request), session_id=session_id)


@router.patch(
    "/sessions/{int:session_id}", response={200: SessionSavedOut, **ERRORS_WRITE}, summary="Correct a session"
)
def session_update_api(request: HttpRequest, session_id: Id, payload: SessionPatch) -> WithExtras:
    """Only the fields sent change; the session is then checked whole, as on the edit form. Its number and phase
    stay as recorded; a risk check changed to `concern` opens a risk alert (`alert_id`)."""
    actor = actor_of(request)
    session = course_session_get(actor=actor, session_id=session_id)
    current = {name: getattr(session, name) for name in RECORDED_FIELDS}
    saved = course_session_update(
        actor=actor,
        session=session,
        details=_details({**current, "concern": "", **payload.model_dump(exclude_unset=True)}),
    )
    return _saved(saved)
