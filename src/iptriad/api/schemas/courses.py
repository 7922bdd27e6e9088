"""IPT courses: the course, where it stands, the actions on it, and its whole record (read-only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Literal

from ninja import ModelSchema, Schema
from pydantic import BeforeValidator, Field, StrictBool

from iptriad.api.schemas.common import ClientRef, Code, Id, InputSchema, Paragraph, PhaseNote, UserRef, WithExtras
from iptriad.api.schemas.stored import StoredSchema
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
from iptriad.courses.selectors.course_page import CourseRecords

# Fields every course record row has that the API leaves out: the organisation (always the caller's) and the
# course (the record is read through it).
_OWNERS = ["organisation", "course"]


class AdaptationOut(Schema):
    id: str
    name: str
    population: str
    sessions: str = Field(description="The usual dose, in the reference's words.")
    default_sessions: int


class CourseOut(StoredSchema):
    client: ClientRef
    therapist: UserRef
    phase: str = Field(description="initial, middle, termination, maintenance or closed")

    class Meta:
        model = Course
        fields = [
            "id",
            "client",
            "therapist",
            "adaptation",
            "protocol_version",
            "phase",
            "opened_on",
            "closed_on",
            "end_reason",
            "end_note",
            "next_session_at",
            "created_at",
            "updated_at",
        ]


class CaseloadCourseOut(CourseOut):
    last_session_on: dt.date | None
    sessions_held: int
    sessions_recorded: int


class MessageOut(Schema):
    code: str
    message: str


class EntryOut(Schema):
    id: str
    text: str


class TaskOut(EntryOut):
    done: bool


class ContractFactsOut(Schema):
    sessions_planned: int
    agreed_on: dt.date | None
    renegotiated: bool


class SnapshotOut(Schema):
    """The facts the protocol rules judge the course by."""

    adaptation: str
    phase: str
    has_diagnosis: bool
    suicide_risk_recorded: bool
    has_inventory: bool
    sick_role_given: bool
    sick_role_reviewed: bool
    problem_areas: list[str]
    has_formulation: bool
    formulation_agreed: bool
    contract: ContractFactsOut | None
    sessions_held: int
    has_relapse_prevention_plan: bool
    end_reason: str | None
    done_task_ids: list[str]

    @staticmethod
    def resolve_done_task_ids(snapshot: CourseSnapshot) -> list[str]:
        return sorted(snapshot.done_task_ids)  # a set in the snapshot: sorted, so an answer never reorders


class SessionGuideOut(Schema):
    """What to have in mind for the next session."""

    session_number: int
    label: str = Field(description="'Session 3 of 16', or 'Session 3' before a contract.")
    sessions_planned: int | None
    sessions_remaining: int | None
    phase: str
    phase_name: str
    tasks: list[EntryOut] = Field(description="The phase's tasks not done yet.")
    session_steps: list[EntryOut]
    announce_ending: bool
    midpoint_review: bool
    termination_due: bool
    initial_phase_overrun: bool
    contract_overrun: bool
    sick_role_review: bool = Field(description="The sick role is still to be reviewed as the client improves.")
    sick_role_review_due: bool = Field(description="The midpoint is reached: review and withdraw the sick role now.")
    cautions: list[MessageOut]


class PhaseChangeOut(StoredSchema):
    changed_by: UserRef

    class Meta:
        model = PhaseChange
        fields = ["from_phase", "to_phase", "changed_at", "changed_by", "note"]


# Read from a course's standing (iptriad.core.protocol.CourseStanding) as the course page shows it, with the course
# and its phase history beside it.
class CourseDetailOut(Schema):
    course: CourseOut
    snapshot: SnapshotOut
    session_guide: SessionGuideOut | None = Field(description="For the next session; null once closed.")
    tasks: list[TaskOut] = Field(description="The current phase's checklist.")
    next_phase: str | None
    next_phase_refusals: list[MessageOut] = Field(description="What to do before the next phase can start.")
    allowed_transitions: list[str]
    phase_changes: list[PhaseChangeOut]


class CourseOpenIn(InputSchema):
    adaptation: Code = Field(description="An adaptation id from GET /adaptations, e.g. standard.")
    therapist: Id | None = Field(None, description="Who runs the course; yourself when left out.")
    opened_on: dt.date | None = Field(None, description="Today when left out.")


class NextSessionIn(InputSchema):
    next_session_at: dt.datetime | None = Field(
        description="The next session's date and time (ISO 8601; without an offset, the organisation's time zone), "
        "or null to clear the plan. Not in the past, nor before the course opened or its last session."
    )


class PhaseChangeIn(InputSchema):
    to_phase: Literal["middle", "termination", "maintenance"]
    note: PhaseNote = ""


class CourseCloseIn(InputSchema):
    reason: Literal["completed", "dropped_out", "referred", "moved", "other"]
    note: Paragraph = ""
    closed_on: dt.date | None = Field(None, description="Today when left out.")


class TaskMarkIn(InputSchema):
    task_id: Code = Field(description="A task id of the course's current phase (see `tasks`).")
    done: StrictBool


# --- The course record, read-only ------------------------------------------------------------------------------


class AssessmentOut(ModelSchema):
    class Meta:
        model = Assessment
        exclude = _OWNERS


class InventoryPersonOut(ModelSchema):
    class Meta:
        model = InventoryPerson
        exclude = _OWNERS


class TimelineEventOut(ModelSchema):
    class Meta:
        model = TimelineEvent
        exclude = _OWNERS


def _ids(people: Iterable[InventoryPerson]) -> list[int]:
    return [person.pk for person in people]


class TriadOut(ModelSchema):
    # The triad's relation (read now) or the support people the course's record flagged in its inventory.
    support_people: Annotated[list[int], BeforeValidator(_ids)] = Field(description="Inventory person ids.")

    class Meta:
        model = Triad
        exclude = [*_OWNERS, "support_people"]


class ProblemAreaOut(ModelSchema):
    class Meta:
        model = ProblemAreaChoice
        exclude = _OWNERS


class GoalOut(ModelSchema):
    class Meta:
        model = Goal
        exclude = _OWNERS


class FormulationOut(ModelSchema):
    class Meta:
        model = Formulation
        exclude = _OWNERS


class ContractOut(ModelSchema):
    class Meta:
        model = TreatmentContract
        exclude = _OWNERS


class SessionOut(ModelSchema):
    strategies: list[str] = Field(description="Strategy ids of the course's problem areas, in protocol order.")
    techniques: list[str] = Field(description="Technique ids of IPT, in protocol order.")

    class Meta:
        model = CourseSession
        exclude = _OWNERS


class TerminationReviewOut(ModelSchema):
    class Meta:
        model = TerminationReview
        exclude = _OWNERS


class RelapsePreventionPlanOut(ModelSchema):
    class Meta:
        model = RelapsePreventionPlan
        exclude = _OWNERS


class MaintenancePlanOut(ModelSchema):
    class Meta:
        model = MaintenancePlan
        exclude = _OWNERS


class DoneTaskOut(StoredSchema):
    class Meta:
        model = CourseTask
        fields = ["task_id", "done_on"]


# Read from the course page's records (courses/selectors/course_page.py), by their names where the API's differ.
class CourseRecordOut(Schema):
    course: CourseOut
    assessment: AssessmentOut | None
    inventory: list[InventoryPersonOut] = Field(validation_alias="people")
    timeline: list[TimelineEventOut] = Field(validation_alias="events")
    triad: TriadOut | None
    problem_areas: list[ProblemAreaOut]
    goals: list[GoalOut]
    formulation: FormulationOut | None
    contract: ContractOut | None
    sessions: list[SessionOut]
    termination_review: TerminationReviewOut | None = Field(validation_alias="review")
    relapse_prevention_plan: RelapsePreventionPlanOut | None = Field(validation_alias="plan")
    maintenance_plan: MaintenancePlanOut | None = Field(validation_alias="maintenance")
    tasks_done: list[DoneTaskOut] = Field(validation_alias="tasks")
    phase_changes: list[PhaseChangeOut]

    @staticmethod
    def resolve_triad(records: CourseRecords) -> WithExtras | None:
        # The support people come flagged with the inventory the records read, not read again through the triad.
        triad = records.triad
        return WithExtras(triad, support_people=records.support_people) if triad is not None else None


class TaskMarkOut(Schema):
    task_id: str
    done: bool
