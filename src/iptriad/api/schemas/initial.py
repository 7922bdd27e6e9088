"""The initial phase's records: the assessment, the interpersonal inventory, the timeline and the Interpersonal
Triad. The bodies parse and type; the services (iptriad.courses.services.initial) decide what is valid."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field, StrictBool, StrictFloat, StrictInt

from iptriad.api.schemas.common import Code, Id, InputSchema, Paragraph, column_limit, no_nul, one_of, unchanged
from iptriad.api.schemas.courses import AssessmentOut, InventoryPersonOut, TimelineEventOut
from iptriad.core.protocol import ProblemAreaCode
from iptriad.core.protocol.closeness import MAX_RINGS
from iptriad.courses.models import Assessment, InventoryPerson
from iptriad.courses.models.initial import Relationship, RiskScreen, TimelineKind
from iptriad.courses.services.initial import risk_alert_needed

RELATIONSHIPS = Relationship.values
RISK_SCREENS = ["", *RiskScreen.values]
TIMELINE_KINDS = TimelineKind.values
LINKED_AREAS = ["", *(code.value for code in ProblemAreaCode)]
SUPPORT_PEOPLE_MAX = 200

# The texts of a line, each as long as its column.
DiagnosisCode = Annotated[str, Field(max_length=column_limit(Assessment, "diagnosis_code")), AfterValidator(no_nul)]
DiagnosisLabel = Annotated[str, Field(max_length=column_limit(Assessment, "diagnosis_label")), AfterValidator(no_nul)]
PersonName = Annotated[str, Field(max_length=column_limit(InventoryPerson, "name")), AfterValidator(no_nul)]
RelationshipDetail = Annotated[
    str, Field(max_length=column_limit(InventoryPerson, "relationship_detail")), AfterValidator(no_nul)
]


class AssessmentIn(InputSchema):
    """The whole assessment (PUT): a field left out is saved empty. Every field may stay empty until known."""

    presenting_problems: Paragraph = ""
    diagnosis_code: DiagnosisCode = Field("", description="As in your classification, e.g. ICD-10 F32.1.")
    diagnosis_label: DiagnosisLabel = Field("", description="The diagnosis in words.")
    episode_history: Paragraph = ""
    medication: Paragraph = ""
    suicide_risk_screen: Code = one_of(RISK_SCREENS, "", "Empty: not screened yet.")
    suicide_risk_notes: Paragraph = ""
    assessed_on: dt.date | None = None
    sick_role_given_on: dt.date | None = None
    sick_role_notes: Paragraph = ""
    sick_role_reviewed_on: dt.date | None = Field(
        None, description="When the time-limited sick role was reviewed with the client and withdrawn."
    )
    psychoeducation_given_on: dt.date | None = None


class AssessmentSavedOut(AssessmentOut):
    risk_alert_advised: bool = Field(
        description="The risk screen is moderate or high: raise a risk alert (POST /clients/{id}/alerts) so the "
        "assessment and the action taken are recorded, as the page advises."
    )

    @staticmethod
    def resolve_risk_alert_advised(assessment: Assessment) -> bool:
        return risk_alert_needed(assessment.suicide_risk_screen)


class PersonIn(InputSchema):
    """One important person of the interpersonal inventory, every field of the inventory form."""

    name: PersonName = Field(description="A name or initials (100 characters).")
    relationship: Code = one_of(RELATIONSHIPS)
    relationship_detail: RelationshipDetail = Field("", description="What the relationship is; needed for 'other'.")
    ring: StrictInt = Field(2, description=f"The closeness ring, 1 (closest) to {MAX_RINGS}.")
    angle: StrictFloat | None = Field(
        None, description="Degrees clockwise from the top, 0 to under 360; null: spread evenly on the ring."
    )
    contact: Paragraph = ""
    satisfying: Paragraph = ""
    unsatisfying: Paragraph = ""
    communication: Paragraph = ""
    knows_about_depression: StrictBool | None = Field(None, description="null: not known yet.")
    feelings: Paragraph = ""
    expectations: Paragraph = ""
    support: Paragraph = ""
    can_ask_for_support: StrictBool | None = Field(None, description="null: not known yet.")
    change_since_onset: Paragraph = ""
    desired_change: Paragraph = ""
    linked_problem_area: Code = one_of(LINKED_AREAS, "")
    focus_candidate: StrictBool = False


class PersonPatch(InputSchema):
    """Only the fields sent change; then the person is checked whole, as on the edit form."""

    name: PersonName = unchanged()
    relationship: Code = one_of(RELATIONSHIPS, None)
    relationship_detail: RelationshipDetail = unchanged()
    ring: StrictInt = unchanged()
    angle: StrictFloat | None = None
    contact: Paragraph = unchanged()
    satisfying: Paragraph = unchanged()
    unsatisfying: Paragraph = unchanged()
    communication: Paragraph = unchanged()
    knows_about_depression: StrictBool | None = None
    feelings: Paragraph = unchanged()
    expectations: Paragraph = unchanged()
    support: Paragraph = unchanged()
    can_ask_for_support: StrictBool | None = None
    change_since_onset: Paragraph = unchanged()
    desired_change: Paragraph = unchanged()
    linked_problem_area: Code = one_of(LINKED_AREAS, None)
    focus_candidate: StrictBool = unchanged()


class PersonItemOut(InventoryPersonOut):
    course_id: int


class EventIn(InputSchema):
    """A dated life event or change in symptoms, optionally about a person of this course's inventory."""

    occurred_on: dt.date = Field(description="Not in the future; if only the month is known, its first day.")
    kind: Code = one_of(TIMELINE_KINDS)
    description: Paragraph
    person: Id | None = Field(None, description="An inventory person id of this course, or null.")


class EventPatch(InputSchema):
    """Only the fields sent change; send null as `person` to unlink the person."""

    occurred_on: dt.date = unchanged()
    kind: Code = one_of(TIMELINE_KINDS, None)
    description: Paragraph = unchanged()
    person: Id | None = None


class EventItemOut(TimelineEventOut):
    course_id: int


class TriadIn(InputSchema):
    """The whole Interpersonal Triad (PUT): a field left out is saved empty."""

    acute_crisis: Paragraph = ""
    biological_vulnerabilities: Paragraph = ""
    psychological_vulnerabilities: Paragraph = ""
    social_vulnerabilities: Paragraph = ""
    social_support: Paragraph = ""
    support_people: list[Id] = Field(
        default_factory=list,
        max_length=SUPPORT_PEOPLE_MAX,
        description="Inventory person ids of this course; another course's are refused.",
    )
