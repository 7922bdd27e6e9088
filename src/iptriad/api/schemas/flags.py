"""Not-on-track flags as stored (iptriad.flags): each with its rule, why it fired for this case, since when, its
source and what the protocol suggests next. Decision support, not a diagnosis (docs/users/flags.md)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field

from iptriad.api.schemas.common import ClientRef, PageMeta, PageQuery, UserRef
from iptriad.core.flags import FlagCode


class SuggestionOut(Schema):
    text: str
    source: str


class FlagOut(Schema):
    code: str = Field(description="One of " + ", ".join(code.value for code in FlagCode) + ".")
    title: str
    why: str = Field(description="This case's facts that made the rule fire.")
    since: dt.date = Field(description="The day the flag first fired, kept while it keeps firing.")
    rule: str = Field(description="The rule in plain words.")
    source: str
    severity: int = Field(description="1 is the gravest (the order of iptriad.core.flags.SEVERITY).")
    suggestions: list[SuggestionOut] = Field(description="What the protocol suggests next, each with its source.")


class ContextFlagsOut(Schema):
    treatment_context: int = Field(description="The course's or the group episode's treatment context.")
    kind: str = Field(description="course or group")
    course: int | None = Field(description="The course's id (kind course).")
    member: int | None = Field(description="The group member's current row (kind group).")
    client: ClientRef
    clinician: UserRef = Field(description="The course's therapist or the group's facilitator.")
    active: bool = Field(description="An open course, or a member still in their group.")
    worst: int | None = Field(description="The severity of the gravest flag.")
    changed_at: dt.datetime | None = Field(description="When the set of flags last changed.")
    computed_at: dt.datetime
    last_review_on: dt.date | None = Field(description="The last supervision meeting that reviewed the case.")
    rules_version: str
    flags: list[FlagOut]


class FlagPage(PageMeta):
    items: list[ContextFlagsOut]


class FlagListQuery(PageQuery):
    clinician: int | None = Field(None, ge=1, description="Only this therapist's or facilitator's cases.")
    code: FlagCode | None = Field(None, description="Only cases where this flag fires.")
    active: bool = Field(True, description="true (default): running cases; false: ended ones.")


class CourseFlagsOut(Schema):
    course: int
    computed_at: dt.datetime | None = Field(description="When the flags were last computed (null: not yet).")
    changed_at: dt.datetime | None
    rules_version: str | None
    flags: list[FlagOut]
