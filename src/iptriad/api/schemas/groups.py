"""Group IPT: groups and their schedule, members and their way through the group, a session's roster.

The bodies parse and type; the group services (iptriad.groups.services) decide what is valid. An answer's clinical
fields (symptom checks, goals, risk, notes) are null for a role that may not see them (an administrator).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, Field, StrictBool, StrictInt

from iptriad.api.schemas.common import (
    ClientRef,
    Code,
    Concern,
    Id,
    InputSchema,
    PageMeta,
    PageQuery,
    Paragraph,
    UserRef,
    column_limit,
    no_nul,
    one_of,
    unchanged,
)
from iptriad.api.schemas.stored import StoredSchema
from iptriad.core.groups import DROPOUT_REASONS, NOT_JOINING_REASONS, Attendance
from iptriad.groups.models import AgeBand, Composition, Group, GroupMember, GroupSession, Referral, Setting

SMALL_NUMBER_MAX = 32_767  # a small-integer column: the services check the real range with their own words
ROSTER_MAX = 100  # entries in one roster: more than a group holds
ANSWERS_MAX = 200


# Each text as long as its column.
GroupName = Annotated[str, Field(max_length=column_limit(Group, "name")), AfterValidator(no_nul)]
Language = Annotated[str, Field(max_length=column_limit(Group, "language")), AfterValidator(no_nul)]
Place = Annotated[str, Field(max_length=column_limit(Group, "place")), AfterValidator(no_nul)]
# A session's note, a member's goal or attendance note: a line or two written on a phone.
ShortNote = Annotated[str, Field(max_length=column_limit(GroupSession, "note")), AfterValidator(no_nul)]
Goal = Annotated[str, Field(max_length=column_limit(GroupMember, "goal")), AfterValidator(no_nul)]
ReferredTo = Annotated[str, Field(max_length=column_limit(Referral, "referred_to")), AfterValidator(no_nul)]
SmallNumber = Annotated[int, Field(ge=0, le=SMALL_NUMBER_MAX)]
Answers = list[StrictInt | None]


# --- Groups ---------------------------------------------------------------------------------------------------


class GroupOut(StoredSchema):
    facilitator: UserRef
    co_facilitator: UserRef | None
    supervisor: UserRef = Field(description="The supervising clinician: told at once of any risk in the group.")
    status: str = Field(description="forming, running or closed")

    class Meta:
        model = Group
        fields = [
            "id",
            "name",
            "status",
            "site_id",
            "facilitator",
            "co_facilitator",
            "supervisor",
            "language",
            "composition",
            "age_band",
            "setting",
            "place",
            "capacity",
            "format_code",
            "format_name",
            "sessions_planned",
            "initial_sessions",
            "termination_sessions",
            "parent_pre_group",
            "screening_instrument",
            "check_instrument",
            "completed_at_least",
            "starts_on",
            "closed_on",
            "created_at",
        ]


class GroupSessionOut(StoredSchema):
    phase: str = Field(description="initial, middle or termination")

    class Meta:
        model = GroupSession
        fields = ["id", "number", "phase", "planned_on", "held_on"]


class GroupDetailOut(GroupOut):
    sessions: list[GroupSessionOut] = Field(description="The schedule, in number order; held_on once recorded.")


class GroupPage(PageMeta):
    items: list[GroupOut]


class GroupListQuery(PageQuery):
    status: Literal["open", "forming", "running", "closed", "all"] = Field(
        "open", description="open: forming or running."
    )
    site: Id | None = Field(None, description="Only the groups of this programme site.")


class GroupIn(InputSchema):
    """A new group: its sessions are planned weekly from `starts_on`, copied from its format."""

    name: GroupName
    format_code: Code = Field(
        description="A shipped format (who_8, strongminds_12, uganda_16, adolescent_10) or template:<id> of the "
        "organisation's own."
    )
    facilitator: Id = Field(description="The user id of the facilitator (a member of the organisation).")
    co_facilitator: Id | None = None
    supervisor: Id = Field(description="The user id of the supervising clinician (a therapist or supervisor).")
    site: Id | None = Field(None, description="The programme site's id, if any.")
    starts_on: dt.date = Field(description="The day of the first group session.")
    capacity: SmallNumber = Field(description="1 to 40 members.")
    language: Language = "en"
    composition: Code = one_of(Composition.values, Composition.MIXED.value)
    age_band: Code = one_of(AgeBand.values, AgeBand.ADULTS.value)
    setting: Code = one_of(Setting.values, Setting.IN_PERSON.value)
    place: Place = ""
    completed_at_least: SmallNumber | None = Field(
        None, description="Sessions attended that count as completing the group; the format's when left out."
    )


class GroupPatch(InputSchema):
    """Only the fields sent change (send null to clear the co-facilitator or the site); the format and the schedule
    stay as created."""

    name: GroupName = unchanged()
    facilitator: Id = unchanged()
    co_facilitator: Id | None = None
    supervisor: Id = unchanged()
    site: Id | None = None
    capacity: SmallNumber = unchanged()
    language: Language = unchanged()
    composition: Code = one_of(Composition.values, None)
    age_band: Code = one_of(AgeBand.values, None)
    setting: Code = one_of(Setting.values, None)
    place: Place = unchanged()
    completed_at_least: SmallNumber = unchanged()


# --- Members --------------------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    group_id: int
    client: ClientRef
    status: str = Field(description="screening, joined, not_joined, dropped, transferred or finished")
    held: bool = Field(description="Held for clinical review: out of the sessions until a clinician clears them.")
    held_since: dt.datetime | None
    sessions_attended: int = Field(description="Sessions attended (present or made up).")
    pre_group_on: dt.date | None
    consent_on: dt.date | None
    left_on: dt.date | None
    clinical: bool = Field(description="Whether the fields below are shown to the caller (null otherwise).")
    problem_area: str | None
    screening_total: float | None = Field(description="The screening questionnaire's total.")


class MemberDetailOut(MemberOut):
    screening_band: str | None
    goal: str | None
    pre_group_note: str | None
    parent_meeting_on: dt.date | None
    suicide_plan: bool | None
    recent_attempt: bool | None
    not_joining_reason: str | None
    dropout_reason: str | None
    left_note: str | None
    cleared_at: dt.datetime | None
    cleared_note: str | None
    warning_signs: str | None
    warning_plan: str | None


class MemberAddIn(InputSchema):
    client: Id = Field(description="The client's id (a registered, active client of the organisation).")


class PreGroupIn(InputSchema):
    held_on: dt.date
    screening_answers: Answers = Field(
        max_length=ANSWERS_MAX,
        description="The group's screening questionnaire: the chosen option's 0-based position per item; null: "
        "not answered.",
    )
    problem_area: Code = one_of(["grief", "role_dispute", "role_transition", "interpersonal_deficits"])
    goal: Goal = ""
    note: Paragraph = ""
    suicide_plan: StrictBool | None = Field(description="A current plan to end their life.")
    recent_attempt: StrictBool | None = Field(description="A suicide attempt in the last 3 months.")
    parent_meeting_on: dt.date | None = None


class DecisionIn(InputSchema):
    joins: StrictBool
    consent_on: dt.date | None = Field(None, description="Required to join: the day the member agreed.")
    reason_code: Code = one_of(["", *(reason.code for reason in NOT_JOINING_REASONS)], "", "When not joining.")
    referred_to: ReferredTo = Field("", description="Who the member was referred to, for a reason that refers.")
    detail: Paragraph = ""


class ClearIn(InputSchema):
    note: Paragraph = Field(description="What the clinician decided, for the facilitator and the record.")


class DropoutIn(InputSchema):
    reason_code: Code = one_of([reason.code for reason in DROPOUT_REASONS])
    note: Paragraph = ""
    left_on: dt.date | None = Field(None, description="Today when left out.")


class PlanIn(InputSchema):
    warning_signs: Paragraph
    plan: Paragraph


# --- A session's roster ---------------------------------------------------------------------------------------


class RosterRowOut(Schema):
    member_id: int
    client: ClientRef
    member_status: str
    held: bool
    status: str | None = Field(description="present, absent, excused or make_up; null before it is recorded.")
    made_up_on: dt.date | None
    clinical: bool
    check_id: int | None = Field(description="The symptom check (an administration of measures).")
    check_total: float | None
    check_band: str | None
    critical_items: list[int] | None = Field(description="Items of the check answered positively (item 9: self-harm).")
    risk_flag: bool | None
    note: str | None


class RosterOut(Schema):
    id: int
    group_id: int
    number: int
    phase: str
    planned_on: dt.date
    held_on: dt.date | None
    note: str | None = Field(description="The session's note; null for a role that may not see notes.")
    check_instrument: str
    rows: list[RosterRowOut]


class RosterEntryIn(InputSchema):
    member_id: Id
    status: Code = one_of([value.value for value in Attendance])
    answers: Answers | None = Field(
        None, max_length=ANSWERS_MAX, description="The symptom check, item by item; null or all null: none taken."
    )
    risk_flag: StrictBool = Field(False, description="The facilitator is worried: opens an alert, holds the member.")
    concern: Concern = Field("", description="What worried the facilitator (sent with the alert).")
    note: ShortNote = ""
    made_up_on: dt.date | None = Field(None, description="For make_up: the day of the make-up meeting.")


class RosterIn(InputSchema):
    held_on: dt.date
    note: ShortNote = ""
    entries: list[RosterEntryIn] = Field(
        max_length=ROSTER_MAX, description="One entry per member in the group (a held member may be left out)."
    )


class RosterSavedRowOut(RosterRowOut):
    alert_opened: bool = Field(description="This save opened a risk alert for the member.")
    next_step: str = Field(description="What to do next, in plain words (empty when nothing).")


class RosterSavedOut(RosterOut):
    rows: list[RosterSavedRowOut]  # type: ignore[assignment]
    alerts_opened: int = Field(description="How many risk alerts this save opened.")
