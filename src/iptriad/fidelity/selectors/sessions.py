"""The session a rating is about, individual or group, as one shape; and the checklist it is rated with."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from django.db.models import Q, QuerySet
from django.http import Http404

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import User
from iptriad.core.fidelity import (
    Checklist,
    ChecklistItem,
    SessionKind,
    UnknownChecklistError,
    checklist_by_ref,
    form_checklist,
    group_checklist,
    individual_checklist,
    session_type,
)
from iptriad.core.protocol import protocol
from iptriad.courses.models import CourseSession, ProblemAreaChoice
from iptriad.courses.models.sessions import Attendance
from iptriad.fidelity.models import FidelityForm, FidelityRating
from iptriad.fidelity.permissions import fidelity_policy
from iptriad.groups.models import GroupSession


@dataclass(frozen=True)
class RatedSession:
    """A held session that can be rated: who led it, its phase and what its checklist depends on."""

    kind: SessionKind
    course_session: CourseSession | None
    group_session: GroupSession | None
    lead: User  # the therapist, or the group's facilitator: whose delivery a supervisor's rating is about
    leaders: frozenset[int]  # everyone who led it (a group's co-facilitator too): they self-rate
    number: int
    phase: str
    held_on: dt.date | None
    condition: str  # the illness the course treats, for the wording of the phase texts
    problem_areas: tuple[str, ...]  # a course's areas in focus on the day of the session

    @property
    def row(self) -> CourseSession | GroupSession:
        # Exactly one of the two is set (rated_course_session, rated_group_session).
        return self.course_session if self.course_session is not None else cast(GroupSession, self.group_session)

    @property
    def pk(self) -> int:
        return self.row.pk

    @property
    def organisation_id(self) -> int:
        return self.row.organisation_id

    @property
    def session_type(self) -> str:
        return session_type(self.kind, self.phase)

    @property
    def is_held(self) -> bool:
        if self.course_session is not None:
            return self.course_session.attendance == Attendance.ATTENDED
        return self.held_on is not None

    @property
    def title(self) -> str:
        row = self.row
        if isinstance(row, GroupSession):
            return f"Group session {self.number}: {row.group.name}"
        client = row.course.client
        return f"Session {self.number} with {client.given_name} {client.family_name}"

    def ratings(self) -> QuerySet[FidelityRating]:
        if self.course_session is not None:
            return FidelityRating.objects.filter(course_session=self.course_session)
        return FidelityRating.objects.filter(group_session=self.group_session)

    def rating_fields(self) -> dict[str, object]:
        return {"course_session": self.course_session, "group_session": self.group_session}


def _areas_on(course_id: int, day: dt.date) -> tuple[str, ...]:
    """The areas in focus on the day of the session; when none was yet (a focus recorded after the session), the
    areas in focus now. One query."""
    chosen = list(
        ProblemAreaChoice.objects.filter(course_id=course_id)
        .filter(Q(active=True) | Q(chosen_on__lte=day, ended_on__gte=day))
        .values_list("area", "chosen_on", "active")
    )
    on_the_day = tuple(area for area, chosen_on, _active in chosen if chosen_on <= day)
    return on_the_day or tuple(area for area, _chosen_on, active in chosen if active)


def rated_course_session(session: CourseSession) -> RatedSession:
    course = session.course
    return RatedSession(
        kind=SessionKind.INDIVIDUAL,
        course_session=session,
        group_session=None,
        lead=course.therapist,
        leaders=frozenset({course.therapist_id}),
        number=session.number,
        phase=session.phase,
        held_on=session.held_on,
        condition=protocol().adaptation(course.adaptation).condition,
        problem_areas=_areas_on(course.pk, session.held_on) if session.phase == "middle" else (),
    )


def rated_group_session(session: GroupSession) -> RatedSession:
    group = session.group
    leaders = {group.facilitator_id} | ({group.co_facilitator_id} if group.co_facilitator_id else set())
    return RatedSession(
        kind=SessionKind.GROUP,
        course_session=None,
        group_session=session,
        lead=group.facilitator,
        leaders=frozenset(leaders),
        number=session.number,
        phase=session.phase,
        held_on=session.held_on,
        condition="depression",
        problem_areas=(),
    )


def rated_session_get(*, actor: Actor, kind: SessionKind | str, session_id: int) -> RatedSession:
    """A session the actor may rate (one they led; any for a supervisor); 404 otherwise, whatever the reason."""
    if kind == SessionKind.INDIVIDUAL:
        courses = CourseSession.objects.select_related("course", "course__therapist", "course__client")
        course_session = fidelity_policy.scope_sessions(actor, courses, group=False).filter(pk=session_id).first()
        if course_session is not None:
            return rated_course_session(course_session)
    elif kind == SessionKind.GROUP:
        groups = GroupSession.objects.select_related("group", "group__facilitator")
        group_session = fidelity_policy.scope_sessions(actor, groups, group=True).filter(pk=session_id).first()
        if group_session is not None:
            return rated_group_session(group_session)
    raise Http404("No such session.")


def active_form(organisation_id: int, session_type_value: str) -> FidelityForm | None:
    return FidelityForm.objects.filter(
        organisation_id=organisation_id, session_type=session_type_value, active=True
    ).first()


def checklist_of_form(form: FidelityForm) -> Checklist:
    return form_checklist(
        form_id=form.pk, version=form.version, name=form.name, session_type_value=form.session_type, items=form.items
    )


def checklist_of_rating(rating: FidelityRating, session: RatedSession) -> Checklist:
    """The checklist a rating was made with, at the version it used."""
    if rating.form is not None:
        return checklist_of_form(rating.form)
    try:
        return checklist_by_ref(rating.checklist, condition=session.condition)
    except UnknownChecklistError:  # a checklist retired from the code: its answers still show by key
        return Checklist(
            rating.checklist,
            0,
            rating.checklist,
            session.session_type,
            tuple(ChecklistItem(key, key, "Items", "") for key in rating.answers),
            "",
        )


def checklist_for(session: RatedSession, *, existing: FidelityRating | None = None) -> Checklist:
    """What a new rating of the session is made with. Design note (docs/decisions/0036-fidelity.md): a session
    already rated by the other side is rated again with that rating's checklist, so the two compare item by item;
    otherwise the organisation's active form for the session's type, else iptriad's own checklist."""
    if existing is not None:
        return checklist_of_rating(existing, session)
    form = active_form(session.organisation_id, session.session_type)
    if form is not None:
        return checklist_of_form(form)
    if session.kind == SessionKind.GROUP:
        return group_checklist(session.phase)
    return individual_checklist(session.phase, session.problem_areas, condition=session.condition)


def active_forms(organisation_id: int) -> dict[str, FidelityForm]:
    """The organisation's active form of each session type that has one."""
    return {
        form.session_type: form for form in FidelityForm.objects.filter(organisation_id=organisation_id, active=True)
    }
