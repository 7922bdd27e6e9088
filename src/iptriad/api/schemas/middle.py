"""The middle phase's focus of a course: problem areas and their goals, the formulation and the treatment contract.
The bodies parse and type; the services (iptriad.courses.services.middle) and the protocol's rules decide what is
valid."""

from __future__ import annotations

import datetime as dt

from ninja import Schema
from pydantic import Field, StrictBool, StrictInt

from iptriad.api.schemas.common import Code, InputSchema, Paragraph, one_of, unchanged
from iptriad.api.schemas.courses import ContractOut, FormulationOut, GoalOut, MessageOut, ProblemAreaOut
from iptriad.core.protocol import DisputeStage, ProblemAreaCode
from iptriad.courses.models.middle import Frequency, GoalStatus
from iptriad.courses.services.middle import LARGEST_NUMBER

AREAS = [code.value for code in ProblemAreaCode]
STAGES = ["", *(stage.value for stage in DisputeStage)]
GOAL_STATUSES = GoalStatus.values
FREQUENCIES = Frequency.values


class ProblemAreaIn(InputSchema):
    """Choose a problem area with the evidence for it: at most two active, each once, interpersonal deficits only
    alone and confirmed."""

    area: Code = one_of(AREAS)
    evidence: Paragraph = Field(description="What links it to the illness: events and people around the onset.")
    dispute_stage: Code = one_of(STAGES, "", "Role disputes only; empty: not recorded yet.")
    deficits_confirmed: StrictBool = Field(
        False, description="Interpersonal deficits only: no other problem area applies."
    )
    chosen_on: dt.date | None = Field(None, description="Today when left out.")


class ProblemAreaPatch(InputSchema):
    """Only the fields sent change (an active problem area only)."""

    evidence: Paragraph = unchanged()
    dispute_stage: Code = one_of(STAGES, None)


class ProblemAreaEndIn(InputSchema):
    end_note: Paragraph = Field(description="Why the focus changed: the renegotiation with the client.")
    ended_on: dt.date | None = Field(None, description="Today when left out.")


class ProblemAreaItemOut(ProblemAreaOut):
    course_id: int


class GoalIn(InputSchema):
    text: Paragraph
    status: Code = one_of(GOAL_STATUSES, GoalStatus.NOT_STARTED.value)
    status_note: Paragraph = ""


class GoalPatch(InputSchema):
    """Only the fields sent change."""

    text: Paragraph = unchanged()
    status: Code = one_of(GOAL_STATUSES, None)
    status_note: Paragraph = unchanged()


class GoalItemOut(GoalOut):
    course_id: int


class FormulationDraftOut(Schema):
    draft: str = Field(
        description="Composed from the records (diagnosis, timeline, inventory, problem areas, contract), in plain "
        "language, paragraphs separated by a blank line; empty when nothing is recorded yet. Edit it, then save it "
        "with PUT /courses/{id}/formulation."
    )
    missing: list[str] = Field(description="What the draft had to leave out because it is not recorded yet.")


class FormulationIn(InputSchema):
    """The whole formulation (PUT): the dates left out are saved empty."""

    text: Paragraph
    shared_on: dt.date | None = Field(None, description="When it was shared with the client.")
    agreed_on: dt.date | None = Field(None, description="When the client agreed it: on or after `shared_on`.")


class FormulationSavedOut(FormulationOut):
    needs_new_agreement: bool = Field(
        description="The words of an agreed formulation changed but the agreement date did not: go over it with the "
        "client again and record the date they agree."
    )


class ContractIn(InputSchema):
    """The whole contract (PUT). Once the client agreed it, any change is a renegotiation: it needs
    `renegotiation_note` (kept, dated, after the earlier ones) and an agreement date."""

    # As on the contract form, numbers over 1000 are refused here; the service gives the rule below that.
    sessions_planned: StrictInt = Field(le=LARGEST_NUMBER, description="Sessions of the contract.")
    frequency: Code = one_of(FREQUENCIES)
    session_minutes: StrictInt = Field(le=LARGEST_NUMBER, description="The length of a session, 10 to 180.")
    starts_on: dt.date = Field(description="The date of the first session.")
    planned_end_on: dt.date | None = Field(
        None, description="The last session; worked out from the start, the sessions and the frequency when null."
    )
    missed_session_rule: Paragraph = ""
    other_terms: Paragraph = ""
    agreed_on: dt.date | None = Field(None, description="When the client agreed it.")
    renegotiation_note: Paragraph = Field("", description="What was renegotiated and why; needed once agreed.")


class ContractSavedOut(ContractOut):
    cautions: list[MessageOut] = Field(description="What to check about the terms, as the page warns.")
