"""A course with one record of every kind, made straight in the database, for tests of pages and permissions.

Made without the services on purpose: the permission matrix must not depend on the behaviour it checks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from iptriad.accounts.models import User
from iptriad.clients.models import Client
from iptriad.core.protocol import Phase, protocol
from iptriad.courses.contexts import COURSE
from iptriad.courses.models import (
    Assessment,
    Course,
    CourseSession,
    Formulation,
    Goal,
    InventoryPerson,
    MaintenancePlan,
    PhaseChange,
    ProblemAreaChoice,
    RelapsePreventionPlan,
    TerminationReview,
    TimelineEvent,
    TreatmentContract,
    Triad,
)
from iptriad.measures.models import Occasion, TreatmentContext

OPENED = dt.date(2026, 9, 1)


def occasion_for(course: Course) -> Occasion:
    """The occasion a new session of the course is to measures (course_session_record makes one the same way)."""
    return Occasion.objects.create(organisation_id=course.organisation_id, context_id=course.treatment_context_id)


@dataclass(frozen=True)
class CourseRecords:
    course: Course
    person: InventoryPerson
    event: TimelineEvent
    problem_area: ProblemAreaChoice
    goal: Goal
    session: CourseSession


def make_course(
    client: Client, therapist: User, *, phase: Phase = Phase.MIDDLE, adaptation: str = "standard"
) -> Course:
    context = TreatmentContext.objects.create(organisation_id=client.organisation_id, client=client, kind=COURSE)
    course = Course.objects.create(
        organisation_id=client.organisation_id,
        client=client,
        treatment_context=context,
        therapist=therapist,
        adaptation=adaptation,
        protocol_version=protocol().version,
        phase=phase,
        opened_on=OPENED,
    )
    PhaseChange.objects.create(
        organisation_id=client.organisation_id, course=course, to_phase=Phase.INITIAL, changed_by=therapist
    )
    return course


def full_course(client: Client, therapist: User) -> CourseRecords:
    """A course in its middle phase with an assessment, inventory, timeline, triad, focus, contract and a session."""
    org = client.organisation_id
    course = make_course(client, therapist)
    Assessment.objects.create(
        organisation_id=org,
        course=course,
        presenting_problems="Low mood since the move.",
        diagnosis_code="F32.1",
        diagnosis_label="Moderate depressive episode",
        assessed_on=OPENED,
    )
    person = InventoryPerson.objects.create(
        organisation_id=org, course=course, name="Sam", relationship="partner", ring=1, satisfying="Kind"
    )
    event = TimelineEvent.objects.create(
        organisation_id=org, course=course, occurred_on=dt.date(2026, 5, 1), kind="life_event", description="Moved city"
    )
    Triad.objects.create(organisation_id=org, course=course, acute_crisis="The move")
    area = ProblemAreaChoice.objects.create(
        organisation_id=org, course=course, area="role_transition", evidence="Low mood began after the move"
    )
    goal = Goal.objects.create(organisation_id=org, course=course, problem_area=area, text="Build a new social network")
    Formulation.objects.create(
        organisation_id=org, course=course, text="Your depression began after the move.", agreed_on=OPENED
    )
    TreatmentContract.objects.create(
        organisation_id=org,
        course=course,
        sessions_planned=12,
        starts_on=OPENED,
        planned_end_on=OPENED + dt.timedelta(weeks=12),
        agreed_on=OPENED,
    )
    session = CourseSession.objects.create(
        organisation_id=org,
        course=course,
        occasion=occasion_for(course),
        number=1,
        held_on=OPENED,
        phase=Phase.INITIAL,
        recorded_by=therapist,
    )
    return CourseRecords(course=course, person=person, event=event, problem_area=area, goal=goal, session=session)


def termination_records(course: Course) -> None:
    """Termination review, relapse-prevention plan and maintenance plan for a course."""
    org = course.organisation_id
    TerminationReview.objects.create(organisation_id=org, course=course, progress_summary="Mood lifted")
    RelapsePreventionPlan.objects.create(
        organisation_id=org,
        course=course,
        warning_signs="Sleeping badly",
        what_helps="Calling a friend",
        people_to_turn_to="Sam",
        if_symptoms_return="Call the clinic",
        emergency_contacts="Local emergency number",
    )
    MaintenancePlan.objects.create(organisation_id=org, course=course, sessions_planned=6, starts_on=OPENED)
