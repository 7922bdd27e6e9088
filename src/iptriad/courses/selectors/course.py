"""Reads of courses: scoped by the course policy, audited when a course is seen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Max, Model, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.core.protocol import Phase
from iptriad.courses.models import Course, PhaseChange
from iptriad.courses.models.course import PhaseChoice
from iptriad.courses.models.sessions import Attendance
from iptriad.courses.permissions import course_policy
from iptriad.courses.snapshot import with_open_risk_alerts

R = TypeVar("R", bound=Model)


def course_get(
    *,
    actor: Actor,
    course_id: int,
    action: Action = Action.UPDATE,
    joined: Sequence[str] = (),
    annotate: dict[str, Any] | None = None,
) -> Course:
    """The course if the actor may act on it, else 404 (a foreign and a missing course look alike).

    `joined` names one-to-one records (formulation, contract ...) to read in the same query: a page that only
    shows them passes them, and one_to_one_of then reads them from the course without a query. The course comes
    with `open_risk_alerts` (its client's alerts still open), which the closing rule needs. `annotate`: the
    presence flags of the sections the apps above add to the course page (iptriad.web.sections).
    """
    courses = with_open_risk_alerts(Course.objects.select_related("client", "therapist", "organisation", *joined))
    if annotate:
        courses = courses.annotate(**annotate)
    return get_object_or_404(course_policy.scope(actor, action, courses), pk=course_id)


def course_get_for_view(
    *, actor: Actor, course_id: int, joined: Sequence[str] = (), annotate: dict[str, Any] | None = None
) -> Course:
    course = course_get(actor=actor, course_id=course_id, action=Action.VIEW, joined=joined, annotate=annotate)
    course_viewed(actor=actor, course=course)
    return course


def course_viewed(*, actor: Actor, course: Course) -> None:
    audit_record(actor=actor, action=AuditAction.COURSE_VIEWED, obj=course, detail={"client": course.client_id})


def one_to_one_of(course: Course, name: str, model: type[R]) -> R | None:
    """The course's one-to-one record `name` (None when not written yet): joined with the course (no query) when
    course_get was asked for it, else read now. Never one of another organisation (as scope_records)."""
    if getattr(Course, name).is_cached(course):
        try:
            record = getattr(course, name)
        except ObjectDoesNotExist:
            return None
    else:
        # Read without caching it on the course: a page that saves the record reads the new one afterwards.
        record = model._default_manager.filter(course=course).first()
    if not isinstance(record, model) or getattr(record, "organisation_id", None) != course.organisation_id:
        return None
    return record


def courses_of_client(*, actor: Actor, client: Client) -> QuerySet[Course]:
    return course_policy.scope(actor, Action.LIST, Course.objects.filter(client=client)).select_related("therapist")


def caseload(*, actor: Actor) -> QuerySet[Course]:
    """Open courses with their last session date and sessions held, in one query (annotations in SQL)."""
    courses = course_policy.scope(actor, Action.LIST, Course.objects.exclude(phase=Phase.CLOSED))
    return (
        courses.select_related("client", "therapist", "contract")
        .annotate(
            last_session_on=Max("sessions__held_on"),
            sessions_held=Count("sessions", filter=Q(sessions__attendance=Attendance.ATTENDED)),
            sessions_recorded=Count("sessions"),
        )
        .order_by("therapist__full_name", "client__family_name", "client__given_name", "pk")
    )


@dataclass(frozen=True)
class CaseloadRow:
    """One open course as the caseload page lists it: plain values, no model instances (a caseload has hundreds)."""

    course_id: int
    treatment_context_id: int
    client_family_name: str
    client_given_name: str
    therapist_name: str
    phase: str
    sessions_held: int
    sessions_recorded: int
    sessions_planned: int | None  # None: no contract yet
    last_session_on: dt.date | None

    @property
    def phase_label(self) -> str:
        return str(PhaseChoice(self.phase).label)


# CaseloadRow's fields in order, as caseload()'s query names them (three are its annotations).
_CASELOAD_COLUMNS = (
    "pk",
    "treatment_context_id",
    "client__family_name",
    "client__given_name",
    "therapist__full_name",
    "phase",
    "sessions_held",
    "sessions_recorded",
    "contract__sessions_planned",
    "last_session_on",
)


def caseload_rows(*, actor: Actor, limit: int) -> list[CaseloadRow]:
    """The caseload's first `limit` courses as rows, in one query and its order."""
    return [CaseloadRow(*row) for row in caseload(actor=actor)[:limit].values_list(*_CASELOAD_COLUMNS)]


def with_next_session(clients: QuerySet[Client]) -> QuerySet[Client]:
    """Clients (already scoped) with `next_session_at`: the next session planned in their open course, from now on
    (None when none is), and `next_session_course` its course's id; a subquery, no query of its own."""
    planned = Course.objects.open().filter(client_id=OuterRef("pk"), next_session_at__gte=timezone.now())
    return clients.annotate(
        next_session_at=Subquery(planned.values("next_session_at")[:1]),
        next_session_course=Subquery(planned.values("pk")[:1]),
    )


def phase_changes(*, course: Course) -> list[PhaseChange]:
    """The course's phase history; call only with a course the actor was allowed to read."""
    return list(PhaseChange.objects.filter(course=course).select_related("changed_by"))
