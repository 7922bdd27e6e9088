"""Fidelity ratings: a session's rating by the clinician who led it or by a supervisor, with its checklist's answers.

The body parses and types; iptriad.fidelity.services.ratings decides: every item of the session's checklist answered,
on its scale (done, partly, not_done, not_applicable), once per side.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from iptriad.api.schemas.common import Code, Id, InputSchema, PageMeta, PageQuery, Paragraph, UserRef
from iptriad.api.schemas.stored import StoredSchema
from iptriad.fidelity.models import FidelityRating

ANSWERS_MAX = 100  # more items than any checklist holds
AnswerValue = Annotated[str, Field(max_length=20)]


class FidelityRatingOut(StoredSchema):
    clinician: UserRef = Field(description="Who led the session rated: the therapist or the group's facilitator.")
    rater: UserRef
    rater_role: str = Field(description="self or supervisor")
    checklist: str = Field(
        description="The checklist with its version: an iptriad checklist (iptriad-individual-middle-grief@1) or a "
        "programme's form (form:<id>:<version>)."
    )
    answers: dict[str, str] = Field(description="Item key -> done, partly, not_done or not_applicable.")
    score: Decimal | None = Field(description="The share of applicable items done, Partly counting half (percent).")
    note: str

    class Meta:
        model = FidelityRating
        fields = [
            "id",
            "course_session_id",
            "group_session_id",
            "clinician",
            "rater",
            "rater_role",
            "checklist",
            "answers",
            "score",
            "note",
            "rated_on",
            "created_at",
        ]


class FidelityRatingDetailOut(FidelityRatingOut):
    other_side_id: int | None = Field(description="The other side's rating of the same session, if there is one.")
    agreement_share: Decimal | None = Field(description="Items both answered the same, in percent, when both rated.")
    score_difference: Decimal | None = Field(description="The supervisor's score minus the self-rating's.")


class FidelityRatingPage(PageMeta):
    items: list[FidelityRatingOut]


class FidelityRatingListQuery(PageQuery):
    clinician: Id | None = Field(None, description="Only the ratings of sessions this person led.")
    course_session: Id | None = None
    group_session: Id | None = None
    rater_role: Literal["self", "supervisor"] | None = None


class FidelityRatingIn(InputSchema):
    """A rating of one held session: name the course session or the group session (one of them). Whether it is a
    self-rating or a supervisor's follows from who sends it (the clinician who led the session rates themselves)."""

    course_session: Id | None = None
    group_session: Id | None = None
    answers: dict[Code, AnswerValue] = Field(max_length=ANSWERS_MAX)
    note: Paragraph = ""

    @model_validator(mode="after")
    def _one_session(self) -> FidelityRatingIn:
        if (self.course_session is None) == (self.group_session is None):
            raise ValueError("Name the course_session or the group_session rated, not both.")
        return self


class ChecklistItemOut(InputSchema):
    key: str
    text: str
    section: str
    source: str


class ChecklistOut(InputSchema):
    ref: str
    title: str
    session_type: str
    items: list[ChecklistItemOut]
