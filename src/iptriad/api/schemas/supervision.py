"""The supervision log: entries (a meeting, who attended, the cases reviewed with their risk decisions, the actions
agreed) and an action's follow-up. The bodies parse and type; iptriad.supervision.services decides what is valid,
and its refusals name the field as the pages do (`case_<context id>_discussion`, `action_<index>_owner`)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from iptriad.api.schemas.common import ClientRef, Id, InputSchema, PageMeta, PageQuery, Paragraph, UserRef, one_of
from iptriad.supervision.models import SupervisionFormat

CASES_MAX = 50  # cases in one meeting: more than an hour's supervision reviews
ACTIONS_MAX = 50


class SupervisionCaseIn(InputSchema):
    treatment_context: Id = Field(
        description="The case: an open course's or a current group member's treatment_context id."
    )
    discussion: Paragraph = ""
    risk_decision: Paragraph = ""


class SupervisionActionIn(InputSchema):
    text: Paragraph
    owner: Id | None = Field(description="The user who will do it: a clinician of the organisation.")
    due_on: dt.date | None = Field(description="On or after the meeting.")
    treatment_context: Id | None = Field(None, description="The case it belongs to (one of `cases`), or null.")


class SupervisionEntryIn(InputSchema):
    held_on: dt.date
    format: str = one_of(SupervisionFormat.values, SupervisionFormat.INDIVIDUAL)
    attendees: list[Id] = Field(max_length=100, description="Who attended: clinicians of the organisation.")
    note: Paragraph = ""
    cases: list[SupervisionCaseIn] = Field(default_factory=list, max_length=CASES_MAX)
    actions: list[SupervisionActionIn] = Field(default_factory=list, max_length=ACTIONS_MAX)


class SupervisionActionDoneIn(InputSchema):
    done_on: dt.date
    follow_up: Paragraph


class SupervisionActionOut(Schema):
    id: int
    text: str
    owner: UserRef
    due_on: dt.date
    treatment_context: int | None
    done_on: dt.date | None
    done_by: UserRef | None
    follow_up: str


class SupervisionCaseOut(Schema):
    treatment_context: int
    kind: str = Field(description="course or group")
    record_id: int | None = Field(description="The course's id, or the group member's.")
    client: ClientRef
    clinician: UserRef
    discussion: str
    risk_decision: str
    flags_reviewed: list[str] = Field(description="Flag codes (iptriad.core.flags) the case carried at review.")


class SupervisionEntryOut(Schema):
    id: int
    held_on: dt.date
    format: str
    led_by: UserRef
    case_count: int
    open_actions: int


class SupervisionEntryDetailOut(Schema):
    id: int
    held_on: dt.date
    format: str
    led_by: UserRef
    whole: bool = Field(description="False: the caller did not attend and sees only their own cases and actions.")
    attendees: list[UserRef] | None
    note: str | None
    cases: list[SupervisionCaseOut]
    actions: list[SupervisionActionOut]


class SupervisionEntryPage(PageMeta):
    items: list[SupervisionEntryOut]


class SupervisionEntryListQuery(PageQuery):
    pass
