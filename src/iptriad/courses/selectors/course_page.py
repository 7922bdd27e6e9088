"""A whole course, read once: the course with its one-to-one records in one query, and each list in one more.

The one reader of a whole course: every section of the course page (courses/sections) builds its part from these
records, and the API answers them as the course's record (GET /courses/{id}/record), so each table is read once
whatever the number of sections or records. Lists are scoped by the course policy as every other read; the
one-to-one records come joined to the course the policy let the actor read, and are kept only when they belong to
its organisation (what `scope_records` would ask of them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from django.db.models import Exists, Model, OuterRef, Prefetch, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.core.protocol import CourseSnapshot
from iptriad.courses.models import (
    Assessment,
    Course,
    CourseSession,
    CourseTask,
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
from iptriad.courses.models.sessions import Attendance
from iptriad.courses.page_sections import course_page_sections
from iptriad.courses.permissions import course_policy
from iptriad.courses.selectors.course import course_get, course_get_for_view, one_to_one_of, phase_changes
from iptriad.courses.selectors.measures import of_course
from iptriad.courses.selectors.sessions import course_sessions
from iptriad.courses.snapshot import snapshot_of
from iptriad.measures.models import Administration, MeasureSchedule
from iptriad.measures.trajectory import for_trajectories

R = TypeVar("R", bound=Model)

ONE_TO_ONE = (
    "assessment",
    "triad",
    "formulation",
    "contract",
    "termination_review",
    "relapse_prevention_plan",
    "maintenance_plan",
)


def course_get_whole(*, actor: Actor, course_id: int) -> Course:
    """The course with its client, therapist and one-to-one records, in one query; 404 as course_get; audited."""
    # With the presence flags of the sections added from above (flags, the supervision log): one with nothing to show
    # then costs no query of its own.
    return course_get_for_view(
        actor=actor, course_id=course_id, joined=ONE_TO_ONE, annotate=course_page_sections.annotations()
    )


@dataclass(frozen=True)
class CourseRecords:
    """Everything recorded in a course, read once (the sessions' free text only when asked for: `session_text`)."""

    course: Course
    people: list[InventoryPerson]  # closest ring first; each with `is_support` (one of the triad's support)
    events: list[TimelineEvent]  # with their person
    problem_areas: list[ProblemAreaChoice]  # active and ended, each with its goals
    sessions: list[CourseSession]  # in number order, without their free text
    administrations: list[Administration]  # oldest first
    schedules: list[MeasureSchedule]  # the active rows
    phase_changes: list[PhaseChange]
    tasks: list[CourseTask]  # the ticked tasks of the phase checklists, in the order they were done

    @property
    def assessment(self) -> Assessment | None:
        return one_to_one_of(self.course, "assessment", Assessment)

    @property
    def triad(self) -> Triad | None:
        return one_to_one_of(self.course, "triad", Triad)

    @property
    def formulation(self) -> Formulation | None:
        return one_to_one_of(self.course, "formulation", Formulation)

    @property
    def contract(self) -> TreatmentContract | None:
        return one_to_one_of(self.course, "contract", TreatmentContract)

    @property
    def review(self) -> TerminationReview | None:
        return one_to_one_of(self.course, "termination_review", TerminationReview)

    @property
    def plan(self) -> RelapsePreventionPlan | None:
        return one_to_one_of(self.course, "relapse_prevention_plan", RelapsePreventionPlan)

    @property
    def maintenance(self) -> MaintenancePlan | None:
        return one_to_one_of(self.course, "maintenance_plan", MaintenancePlan)

    @property
    def support_people(self) -> list[InventoryPerson]:
        """The triad's support people, in inventory order: flagged as the people were read (no query)."""
        return [person for person in self.people if getattr(person, "is_support", False)]

    @property
    def goals(self) -> list[Goal]:
        """Every goal of every problem area, oldest first (the goals' own order), from the problem areas' reads."""
        goals = [goal for choice in self.problem_areas for goal in choice.goals.all()]
        return sorted(goals, key=lambda goal: (goal.created_at, goal.pk))

    @property
    def done_task_ids(self) -> frozenset[str]:
        return frozenset(task.task_id for task in self.tasks)

    @property
    def sessions_attended(self) -> int:
        return sum(1 for session in self.sessions if session.attendance == Attendance.ATTENDED)

    @cached_property
    def snapshot(self) -> CourseSnapshot:
        """The course as the protocol rules see it, from these records (no query)."""
        return snapshot_of(
            self.course,
            assessment=self.assessment,
            formulation=self.formulation,
            contract=self.contract,
            active_areas=[choice.area for choice in self.problem_areas if choice.active],
            sessions_held=self.sessions_attended,
            has_relapse_prevention_plan=self.plan is not None,
            done_task_ids=self.done_task_ids,
            has_inventory=bool(self.people),
            open_risk_alerts=getattr(self.course, "open_risk_alerts", 0),  # annotated by course_get
        )


def course_records(*, actor: Actor, course: Course, session_text: bool = False) -> CourseRecords:
    """Nine queries whatever the size of the course (ten when the course came without its one-to-one records).

    The sessions' free text stays in the database unless `session_text` asks for it: the page's table shows none.
    """
    course = _with_one_to_one(actor, course)
    triad = one_to_one_of(course, "triad", Triad)
    people = _scoped(actor, InventoryPerson).filter(course=course)
    if triad is not None:
        # Whether each person is one of the triad's support people, in the same query as the people.
        support = Triad.support_people.through.objects.filter(triad_id=triad.pk, inventoryperson_id=OuterRef("pk"))
        people = people.annotate(is_support=Exists(support))
    goals = Prefetch("goals", queryset=_scoped(actor, Goal).order_by("created_at", "pk"))
    sessions = (
        list(_scoped(actor, CourseSession).filter(course=course).order_by("number"))
        if session_text
        else course_sessions(actor=actor, course=course)
    )
    return CourseRecords(
        course=course,
        people=list(people),
        events=list(_scoped(actor, TimelineEvent).filter(course=course).select_related("person")),
        problem_areas=list(_scoped(actor, ProblemAreaChoice).filter(course=course).prefetch_related(goals)),
        sessions=sessions,
        administrations=list(of_course(actor, _answers(course), course)),
        schedules=list(of_course(actor, MeasureSchedule.objects.filter(active=True), course)),
        phase_changes=phase_changes(course=course),
        tasks=list(_scoped(actor, CourseTask).filter(course=course)),
    )


def _answers(course: Course) -> QuerySet[Administration]:
    # The context and organisation are of_course's to add: the same filter on the organisation twice made SQLite's
    # planner (no statistics) read the organisation's every administration by its organisation index.
    return for_trajectories(Administration.objects.all())


def _scoped(actor: Actor, model: type[R]) -> QuerySet[R]:
    return course_policy.scope_records(actor, Action.VIEW, model._default_manager.all())


def _with_one_to_one(actor: Actor, course: Course) -> Course:
    """The course itself when course_get_whole read it; else read again, scoped, with its one-to-one records."""
    if all(getattr(Course, name).is_cached(course) for name in ONE_TO_ONE):
        return course
    return course_get(actor=actor, course_id=course.pk, action=Action.VIEW, joined=ONE_TO_ONE)
