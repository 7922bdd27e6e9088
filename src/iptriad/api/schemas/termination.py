"""The termination phase of a course: the termination review, the goals' status, the relapse-prevention plan and the
maintenance plan. The bodies parse and type; the services (iptriad.courses.services.termination) decide what is valid,
with the same messages as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field, StrictInt

from iptriad.api.schemas.common import Code, InputSchema, Paragraph, no_nul, one_of
from iptriad.courses.models.middle import GoalStatus
from iptriad.courses.models.termination import NextStep
from iptriad.courses.services.termination import MAINTENANCE_FREQUENCIES, TEXT_MAX

# As long as the ending forms take one free-text answer.
TerminationText = Annotated[str, Field(max_length=TEXT_MAX), AfterValidator(no_nul)]

NEXT_STEPS = ["", *NextStep.values]
MAINTENANCE_FREQUENCY_VALUES = [frequency.value for frequency in MAINTENANCE_FREQUENCIES]


class TerminationReviewIn(InputSchema):
    """The whole review (PUT): a field left out is saved empty. Written in the termination phase, or in the middle
    phase near the end of the contract."""

    progress_summary: TerminationText = Field(description="The symptoms now compared with the start; what changed.")
    why_better: TerminationText = ""
    skills_gained: TerminationText = ""
    feelings_about_ending: TerminationText = ""
    next_step: Code = one_of(NEXT_STEPS, "", "Empty: not decided yet.")
    next_step_detail: TerminationText = Field("", description="Needed for a referral: where to and for what.")
    reviewed_on: dt.date


class GoalStatusIn(InputSchema):
    """How far a goal was reached (the midpoint and termination reviews); any open phase."""

    status: Code = one_of(GoalStatus.values)
    status_note: Paragraph = ""  # a goal's note, as in the middle phase


class RelapsePreventionPlanIn(InputSchema):
    """The whole plan (PUT); every part of it is required."""

    warning_signs: TerminationText
    what_helps: TerminationText
    people_to_turn_to: TerminationText
    if_symptoms_return: TerminationText
    emergency_contacts: TerminationText
    agreed_on: dt.date | None = Field(None, description="Null until the client has agreed the plan.")


class MaintenancePlanIn(InputSchema):
    """The whole plan (PUT), once the termination review chose maintenance or continuation as the next step."""

    frequency: Code = one_of(MAINTENANCE_FREQUENCY_VALUES)
    sessions_planned: StrictInt = Field(description="1 to 36.")
    starts_on: dt.date
    notes: TerminationText = ""
