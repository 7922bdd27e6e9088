"""The IPT course as a treatment context of iptriad.measures: what measures may ask of a course, answered here.

Registered by CoursesConfig.ready(); see iptriad.measures.contexts for the interface and why it exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils.dateformat import format as date_format

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import User
from iptriad.accounts.permissions import Action
from iptriad.clients.models import Client
from iptriad.core.schedules import next_session_number
from iptriad.courses.models import Course, CourseSession
from iptriad.courses.permissions import course_policy
from iptriad.courses.selectors.measures import held_by_course
from iptriad.measures.contexts import OccasionChoice, PlannedSession
from iptriad.measures.due import ContextSessions
from iptriad.measures.models import TreatmentContext

COURSE = "course"


class CourseContexts:
    """Each IPT course is one treatment context; its sessions are the context's occasions."""

    kind = COURSE

    def treating(self, actor: Actor) -> QuerySet[Any]:
        # A therapist also works with the clients whose open IPT course they run, assigned to them or not.
        return Course.objects.open().filter(organisation_id=actor.organisation.pk, therapist_id=actor.user_id)

    def open_context_ids(self, client_ids: QuerySet[Any] | list[int]) -> QuerySet[Any]:
        return Course.objects.open().filter(client_id__in=client_ids).values_list("treatment_context_id", flat=True)

    def may_change(self, actor: Actor, context: TreatmentContext) -> bool:
        courses = Course.objects.filter(treatment_context_id=context.pk)
        return course_policy.scope(actor, Action.UPDATE, courses).exists()

    def may_record(self, actor: Actor, context: TreatmentContext) -> bool:
        return self.may_change(actor, context)

    def occasion_for(self, actor: Actor, client: Client, occasion_id: int) -> OccasionChoice | None:
        sessions = CourseSession.objects.filter(occasion_id=occasion_id, course__client=client)
        session = (
            course_policy.scope_records(actor, Action.UPDATE, sessions).select_related("occasion__context").first()
        )
        if session is None:
            return None
        held_on = date_format(session.held_on, "j M Y")
        return OccasionChoice(
            occasion=session.occasion, label=f"session {session.number} of the IPT course ({held_on})"
        )

    def responsible(self, context: TreatmentContext) -> QuerySet[User]:
        return User.objects.filter(courses__treatment_context_id=context.pk)

    def responsible_for(self, actor: Actor) -> QuerySet[Any]:
        courses = Course.objects.filter(organisation_id=actor.organisation.pk, therapist_id=actor.user_id)
        return courses.values_list("treatment_context_id", flat=True)

    def next_session(self, context: TreatmentContext) -> dt.datetime | None:
        course = Course.objects.open().filter(treatment_context_id=context.pk).only("next_session_at").first()
        return course.next_session_at if course is not None else None

    def planned_sessions(self, *, start: dt.datetime, end: dt.datetime) -> list[PlannedSession]:
        # Three queries for every course planned in the window: the courses, their sessions, their contracts.
        courses = list(
            Course.objects.open()
            .filter(next_session_at__gte=start, next_session_at__lt=end)
            .select_related("contract")
            .order_by("next_session_at", "pk")
        )
        sessions = held_by_course([course.pk for course in courses])
        planned = []
        for course in courses:
            held = sessions[course.pk]
            contract = getattr(course, "contract", None)
            planned.append(
                PlannedSession(
                    context_id=course.treatment_context_id,
                    client_id=course.client_id,
                    organisation_id=course.organisation_id,
                    starts_at=course.next_session_at,  # type: ignore[arg-type]  # filtered on it above
                    number=next_session_number(held),
                    responsible_id=course.therapist_id,
                    sessions=ContextSessions(
                        sessions=held,
                        sessions_planned=contract.sessions_planned if contract is not None else None,
                    ),
                )
            )
        return planned
