"""Fidelity ratings: list them (scoped as on the pages: a supervisor the organisation's, anyone else the ratings of
the sessions they led), read one with its agreement, see a session's checklist, and rate a session (self or as
supervisor) through iptriad.fidelity.services.ratings, which validates and audits as the rating page does."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Status

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership
from iptriad.api.auth import actor_of
from iptriad.api.errors import ERRORS_READ, ERRORS_WRITE
from iptriad.api.retries import idempotent
from iptriad.api.schemas.common import Id
from iptriad.api.schemas.fidelity import (
    ChecklistOut,
    FidelityRatingDetailOut,
    FidelityRatingIn,
    FidelityRatingListQuery,
    FidelityRatingPage,
)
from iptriad.core.fidelity import SessionKind
from iptriad.courses.models import CourseSession
from iptriad.fidelity.models import FidelityRating
from iptriad.fidelity.selectors.ratings import rating_get, rating_pair, ratings_visible
from iptriad.fidelity.selectors.sessions import RatedSession, checklist_for, rated_group_session, rated_session_get
from iptriad.fidelity.services.ratings import rating_record
from iptriad.groups.models import GroupSession
from iptriad.groups.permissions import GroupAction, group_policy

router = Router(tags=["fidelity"])

ERROR_FILTER_UNKNOWN = "No such {what} in the organisation."


def _detail(actor: Actor, rating: FidelityRating, *, audit: bool = True) -> dict[str, Any]:
    pair = rating_pair(actor=actor, rating=rating, audit=audit)
    other = pair.supervisor_rating if rating.rater_role == "self" else pair.self_rating
    agreement = pair.agreement
    return {
        **{name: getattr(rating, name) for name in FidelityRatingDetailOut.model_fields if hasattr(rating, name)},
        "other_side_id": other.pk if other is not None else None,
        "agreement_share": agreement.share if agreement else None,
        "score_difference": agreement.score_difference if agreement else None,
    }


def _session(actor: Actor, course_session: int | None, group_session: int | None) -> RatedSession:
    if course_session is not None:
        return rated_session_get(actor=actor, kind=SessionKind.INDIVIDUAL, session_id=course_session)
    return rated_session_get(actor=actor, kind=SessionKind.GROUP, session_id=group_session or 0)


def _check_filters(actor: Actor, filters: FidelityRatingListQuery) -> None:
    """An id of another organisation in a filter is refused by field, as a missing one is (not an empty list)."""
    organisation_id = actor.organisation.pk
    checks: tuple[tuple[str, int | None, QuerySet[Any], str], ...] = (
        ("clinician", filters.clinician, Membership.objects.all(), "user_id"),
        ("course_session", filters.course_session, CourseSession.objects.all(), "pk"),
        ("group_session", filters.group_session, GroupSession.objects.all(), "pk"),
    )
    errors = {
        field: ERROR_FILTER_UNKNOWN.format(what=field.replace("_", " "))
        for field, value, rows, key in checks
        if value is not None and not rows.filter(**{key: value}, organisation_id=organisation_id).exists()
    }
    if errors:
        raise ValidationError(errors)


@router.get("/fidelity-ratings", response={200: FidelityRatingPage, **ERRORS_READ}, summary="List fidelity ratings")
def fidelity_rating_list_api(request: HttpRequest, filters: Query[FidelityRatingListQuery]) -> dict[str, Any]:
    """Newest first. A supervisor sees every rating of the organisation; a therapist or facilitator the ratings of
    the sessions they led (their own and their supervisor's); an administrator none. A filter naming no clinician
    or session of the organisation is refused (422)."""
    actor = actor_of(request)
    _check_filters(actor, filters)
    ratings = ratings_visible(
        actor=actor,
        clinician_id=filters.clinician,
        course_session_id=filters.course_session,
        group_session_id=filters.group_session,
        rater_role=filters.rater_role,
    )
    shown = list(ratings[filters.offset : filters.offset + filters.limit])
    return {"count": ratings.count(), "limit": filters.limit, "offset": filters.offset, "items": shown}


@router.get(
    "/fidelity-ratings/{int:rating_id}", response={200: FidelityRatingDetailOut, **ERRORS_READ}, summary="Read a rating"
)
def fidelity_rating_get_api(request: HttpRequest, rating_id: Id) -> dict[str, Any]:
    """The rating, the other side's rating of the same session if there is one, and how the two agree."""
    actor = actor_of(request)
    return _detail(actor, rating_get(actor=actor, rating_id=rating_id))


@router.get(
    "/course-sessions/{int:session_id}/fidelity-checklist",
    response={200: ChecklistOut, **ERRORS_READ},
    summary="A course session's fidelity checklist",
)
def fidelity_course_checklist_api(request: HttpRequest, session_id: Id) -> dict[str, Any]:
    """The checklist a new rating of this session is made with, by the session's therapist or a supervisor."""
    actor = actor_of(request)
    return _checklist(actor, _session(actor, session_id, None))


@router.get(
    "/group-sessions/{int:group_session_id}/fidelity-checklist",
    response={200: ChecklistOut, **ERRORS_READ},
    summary="A group session's fidelity checklist",
)
def fidelity_group_checklist_api(request: HttpRequest, group_session_id: Id) -> dict[str, Any]:
    """The checklist a new rating of this group session is made with, by its facilitators or a supervisor. Whoever
    sees the group's clinical record may read it (the group's supervising clinician too)."""
    actor = actor_of(request)
    sessions = GroupSession.objects.select_related("group", "group__facilitator")
    session = group_policy.scope(actor, GroupAction.CLINICAL, sessions, "group").filter(pk=group_session_id).first()
    if session is None:
        raise Http404("No such session.")
    return _checklist(actor, rated_group_session(session))


def _checklist(actor: Actor, session: RatedSession) -> dict[str, Any]:
    existing = session.ratings().select_related("form").first()
    checklist = checklist_for(session, existing=existing)
    return {
        "ref": checklist.ref,
        "title": checklist.title,
        "session_type": checklist.session_type,
        "items": [
            {"key": item.key, "text": item.text, "section": item.section, "source": item.source}
            for item in checklist.items
        ],
    }


@router.post("/fidelity-ratings", response={201: FidelityRatingDetailOut, **ERRORS_WRITE}, summary="Rate a session")
@idempotent
def fidelity_rating_create_api(request: HttpRequest, payload: FidelityRatingIn) -> Status[dict[str, Any]]:
    """The clinician who led the session rates it themselves; a supervisor rates anyone's. Every item of the
    session's checklist (GET .../fidelity-checklist) is answered done, partly, not_done or not_applicable; a second
    rating of the same side is refused (422: change it on the rating page). Send an Idempotency-Key to retry."""
    actor = actor_of(request)
    session = _session(actor, payload.course_session, payload.group_session)
    rating = rating_record(actor=actor, session=session, answers=payload.answers, note=payload.note)
    saved = rating_get(actor=actor, rating_id=rating.pk)
    return Status(201, _detail(actor, saved, audit=False))
