"""Reads for the middle phase's focus of a course: problem areas and goals, the formulation and the contract.

Objects addressed by id are scoped by the course policy (a colleague's or another organisation's record is a 404).
The other reads take a course the caller was already allowed to read, and run a fixed number of queries.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.core.protocol import (
    Caution,
    DisputeStage,
    ProblemArea,
    ProblemAreaCode,
    check_contract,
    check_problem_areas,
    protocol,
)
from iptriad.core.protocol.formulation import (
    AreaFact,
    ContractFact,
    EventKind,
    FormulationFacts,
    PersonFact,
    TimelineFact,
    onset,
)
from iptriad.courses.models import (
    Assessment,
    Course,
    CourseSession,
    Formulation,
    Goal,
    InventoryPerson,
    ProblemAreaChoice,
    TimelineEvent,
    TreatmentContract,
)
from iptriad.courses.models.initial import Relationship
from iptriad.courses.models.middle import Frequency
from iptriad.courses.models.sessions import Attendance
from iptriad.courses.permissions import course_policy
from iptriad.courses.selectors.course import one_to_one_of

# Between sessions, by frequency (twice a week alternates 3 and 4 days; monthly keeps the day of the month).
FREQUENCY_DAYS: dict[str, float] = {Frequency.WEEKLY: 7.0, Frequency.TWICE_WEEKLY: 3.5, Frequency.FORTNIGHTLY: 14.0}

# How often, in words that follow "meeting" (the formulation draft and the printed contract).
FREQUENCY_PHRASES: dict[str, str] = {
    Frequency.WEEKLY: "once a week",
    Frequency.TWICE_WEEKLY: "twice a week",
    Frequency.FORTNIGHTLY: "every two weeks",
    Frequency.MONTHLY: "once a month",
}


def _audit_viewed(actor: Actor, course: Course, **detail: int) -> None:
    audit_record(
        actor=actor, action=AuditAction.COURSE_VIEWED, obj=course, detail={"client": course.client_id, **detail}
    )


def problem_area_get(*, actor: Actor, problem_area_id: int, action: Action = Action.UPDATE) -> ProblemAreaChoice:
    """A chosen problem area of a course the actor may act on, else 404."""
    scoped = course_policy.scope_records(
        actor, action, ProblemAreaChoice.objects.select_related("course__client", "course__organisation")
    )
    return get_object_or_404(scoped, pk=problem_area_id)


def problem_area_get_for_view(*, actor: Actor, problem_area_id: int) -> ProblemAreaChoice:
    choice = problem_area_get(actor=actor, problem_area_id=problem_area_id, action=Action.VIEW)
    _audit_viewed(actor, choice.course, problem_area=choice.pk)
    return choice


def goal_get(*, actor: Actor, goal_id: int, action: Action = Action.UPDATE) -> Goal:
    scoped = course_policy.scope_records(
        actor, action, Goal.objects.select_related("problem_area", "course__client", "course__organisation")
    )
    return get_object_or_404(scoped, pk=goal_id)


def goal_get_for_view(*, actor: Actor, goal_id: int) -> Goal:
    goal = goal_get(actor=actor, goal_id=goal_id, action=Action.VIEW)
    _audit_viewed(actor, goal.course, goal=goal.pk)
    return goal


# Problem areas and goals --------------------------------------------------------------------------------------


def also_called(definition: ProblemArea) -> str:
    """The lay name when it differs from the IPT name ('life changes' for role transitions), else ""."""
    return "" if definition.lay_name.lower() == definition.name.lower() else definition.lay_name


@dataclass(frozen=True)
class Guidance:
    definition: ProblemArea
    also_called: str


@dataclass(frozen=True)
class AreaWithGuidance:
    """A chosen problem area with its protocol definition (names, goals, stages) beside it."""

    choice: ProblemAreaChoice
    definition: ProblemArea
    goals: list[Goal]
    stage_name: str  # the dispute stage's name, or ""

    @property
    def also_called(self) -> str:
        return also_called(self.definition)


@dataclass(frozen=True)
class FocusAreas:
    active: list[AreaWithGuidance]
    ended: list[AreaWithGuidance]
    cautions: tuple[Caution, ...]  # of the active choice: confirm deficits, record the dispute stage


def _with_guidance(choice: ProblemAreaChoice) -> AreaWithGuidance:
    definition = protocol().problem_area(choice.area)
    stage = definition.stage(choice.dispute_stage).name if choice.dispute_stage and definition.stages else ""
    return AreaWithGuidance(choice=choice, definition=definition, goals=list(choice.goals.all()), stage_name=stage)


def problem_area_cautions(choices: list[ProblemAreaChoice]) -> tuple[Caution, ...]:
    active = [choice for choice in choices if choice.active]
    disputes_staged = all(c.dispute_stage for c in active if c.area == ProblemAreaCode.ROLE_DISPUTE)
    _, cautions = check_problem_areas(
        [ProblemAreaCode(choice.area) for choice in active], dispute_stage_recorded=disputes_staged
    )
    return cautions


def focus_areas(*, course: Course) -> FocusAreas:
    """The course's problem areas, active and ended, each with its goals: two queries."""
    choices = list(
        ProblemAreaChoice.objects.filter(course=course).prefetch_related(
            Prefetch("goals", queryset=Goal.objects.order_by("created_at", "pk"))
        )
    )
    return focus_areas_of(choices)


def focus_areas_of(choices: list[ProblemAreaChoice]) -> FocusAreas:
    """The problem areas already read with their goals, sorted into active and ended, with guidance (no query)."""
    areas = [_with_guidance(choice) for choice in choices]
    return FocusAreas(
        active=[area for area in areas if area.choice.active],
        ended=[area for area in areas if not area.choice.active],
        cautions=problem_area_cautions(choices),
    )


def problem_area_guidance() -> list[Guidance]:
    """The four problem areas of the protocol, to show beside the choice (no query)."""
    return [Guidance(definition=area, also_called=also_called(area)) for area in protocol().problem_areas]


def goal_suggestions(choice: ProblemAreaChoice, goals: list[Goal]) -> list[str]:
    """The protocol's goals for this area that the course does not have yet, word for word."""
    existing = {goal.text.strip() for goal in goals}
    return [entry.text for entry in protocol().problem_area(choice.area).goals if entry.text not in existing]


# The formulation ----------------------------------------------------------------------------------------------


def formulation_of_course(*, course: Course) -> Formulation | None:
    return one_to_one_of(course, "formulation", Formulation)


def _relationship_words(relationship: str, detail: str) -> str:
    if detail.strip():
        return detail.strip()
    if relationship in (Relationship.OTHER, ""):
        return ""
    return str(Relationship(relationship).label).lower() if relationship in Relationship.values else ""


# The one-to-one records the formulation page shows or composes its draft from, read with the course.
FORMULATION_JOINED = ("formulation", "assessment", "contract")


def formulation_facts(*, course: Course) -> FormulationFacts:
    """What the formulation draft is composed from: three queries whatever the size of the records, and one more for
    each of the assessment and the contract the course was not read with (FORMULATION_JOINED)."""
    assessment = one_to_one_of(course, "assessment", Assessment)
    diagnosis = assessment.diagnosis_label if assessment is not None else ""
    timeline = tuple(
        TimelineFact(occurred_on=occurred_on, kind=EventKind(kind), description=description)
        for occurred_on, kind, description in TimelineEvent.objects.filter(course=course).values_list(
            "occurred_on", "kind", "description"
        )
        if kind in {k.value for k in EventKind}
    )
    codes = {code.value for code in ProblemAreaCode}
    people = tuple(
        PersonFact(
            name=name,
            relationship=_relationship_words(relationship, detail),
            linked_area=ProblemAreaCode(linked) if linked in codes else None,
            focus_candidate=candidate,
        )
        for name, relationship, detail, linked, candidate in InventoryPerson.objects.filter(course=course).values_list(
            "name", "relationship", "relationship_detail", "linked_problem_area", "focus_candidate"
        )
    )
    areas = tuple(
        AreaFact(
            code=ProblemAreaCode(area),
            evidence=evidence,
            dispute_stage=DisputeStage(stage) if stage in {s.value for s in DisputeStage} else None,
        )
        for area, evidence, stage in ProblemAreaChoice.objects.filter(course=course, active=True).values_list(
            "area", "evidence", "dispute_stage"
        )
    )
    contract = contract_of_course(course=course)
    return FormulationFacts(
        diagnosis_label=diagnosis,
        timeline=timeline,
        people=people,
        areas=areas,
        contract=(
            ContractFact(
                sessions_planned=contract.sessions_planned,
                frequency=FREQUENCY_PHRASES.get(contract.frequency, ""),
                ends_on=contract.planned_end_on,
            )
            if contract is not None
            else None
        ),
    )


# The contract -------------------------------------------------------------------------------------------------


def contract_of_course(*, course: Course) -> TreatmentContract | None:
    return one_to_one_of(course, "contract", TreatmentContract)


def sessions_held(*, course: Course) -> int:
    return CourseSession.objects.filter(course=course, attendance=Attendance.ATTENDED).count()


def contract_cautions(*, course: Course, contract: TreatmentContract | None) -> tuple[Caution, ...]:
    """What check_contract asks the therapist to check about the current contract (usual range, beyond acute)."""
    if contract is None:
        return ()
    check = check_contract(
        course.adaptation, contract.sessions_planned, contract.renegotiated, sessions_held=sessions_held(course=course)
    )
    return check.cautions


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def contract_planned_end(starts_on: dt.date, sessions_planned: int, frequency: str) -> dt.date:
    """The date of the last planned session when the first is on `starts_on` and none is missed."""
    intervals = max(sessions_planned - 1, 0)
    if frequency == Frequency.MONTHLY:
        return _add_months(starts_on, intervals)
    days = FREQUENCY_DAYS.get(frequency, FREQUENCY_DAYS[Frequency.WEEKLY])
    # Twice a week: sessions on days 0, 3, 7, 10 ... so an odd number of intervals ends half a week early.
    return starts_on + dt.timedelta(days=int(intervals * days))


@dataclass(frozen=True)
class ContractDefaults:
    """What a new contract form starts from: the adaptation's dose, and the first session as the start."""

    sessions_planned: int
    frequency: str
    session_minutes: int
    starts_on: dt.date
    planned_end_on: dt.date
    sources: list[str] = field(default_factory=list)  # where the numbers come from, for the hint


def contract_defaults(*, course: Course) -> ContractDefaults:
    """Sessions from the adaptation's default contract; session length from the adaptation where it gives one (its
    longest), else 50 minutes; monthly when the adaptation is monthly, else weekly; the start on the first session,
    or the day the course opened (sessions are numbered from the first session of the course)."""
    adaptation = protocol().adaptation(course.adaptation)
    minutes = adaptation.session_minutes_max or adaptation.session_minutes_min or 50
    frequency = Frequency.MONTHLY if (adaptation.frequency or "").startswith("monthly") else Frequency.WEEKLY
    first = CourseSession.objects.filter(course=course).order_by("number").values_list("held_on", flat=True).first()
    starts_on = first or course.opened_on
    return ContractDefaults(
        sessions_planned=adaptation.default_sessions,
        frequency=frequency,
        session_minutes=minutes,
        starts_on=starts_on,
        planned_end_on=contract_planned_end(starts_on, adaptation.default_sessions, frequency),
        sources=[adaptation.name, adaptation.sessions],
    )


# The course page section --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FocusSummary:
    areas: FocusAreas
    formulation: Formulation | None
    contract: TreatmentContract | None
    frequency_phrase: str


def focus_summary(
    *,
    problem_areas: list[ProblemAreaChoice],
    formulation: Formulation | None,
    contract: TreatmentContract | None,
) -> FocusSummary:
    """Everything the course page shows of the focus, from its records already read (no query)."""
    return FocusSummary(
        areas=focus_areas_of(problem_areas),
        formulation=formulation,
        contract=contract,
        frequency_phrase=FREQUENCY_PHRASES.get(contract.frequency, "") if contract else "",
    )


def formulation_missing(facts: FormulationFacts) -> list[str]:
    """What the draft had to leave out, so the therapist knows what to record first."""
    missing = []
    if not facts.diagnosis_label.strip():
        missing.append("the diagnosis (assessment)")
    if onset(facts.timeline) is None:
        missing.append("when the symptoms began (timeline)")
    if not facts.areas:
        missing.append("a problem area")
    if facts.contract is None:
        missing.append("the treatment contract")
    return missing
