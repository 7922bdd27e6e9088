"""Competency records: the team's overview, a person's record, a training record sent in.

Workforce data, no client's. The fidelity ratings in an answer are null for a role that may not see them (an
administrator: iptriad.competency.permissions says why).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, Field

from iptriad.api.schemas.common import InputSchema, UserRef, column_limit, no_nul, one_of
from iptriad.api.schemas.stored import StoredSchema
from iptriad.competency.models import Certification, TrainingKind, TrainingRecord

ERROR_HOURS_DECIMALS = "Give hours with at most one decimal, e.g. 1.5."


def one_decimal(value: float) -> float:
    if round(value, 1) != value:
        raise ValueError(ERROR_HOURS_DECIMALS)
    return value


Title = Annotated[str, Field(max_length=column_limit(TrainingRecord, "title")), AfterValidator(no_nul)]
Provider = Annotated[str, Field(max_length=column_limit(TrainingRecord, "provider")), AfterValidator(no_nul)]
TrainingNote = Annotated[str, Field(max_length=column_limit(TrainingRecord, "note")), AfterValidator(no_nul)]


class TrainingOut(StoredSchema):
    class Meta:
        model = TrainingRecord
        fields = ["id", "kind", "title", "provider", "completed_on", "hours", "note"]


class CertificationOut(StoredSchema):
    state: str = Field(description="expired, ends_soon (within 90 days), valid, or no_end")

    class Meta:
        model = Certification
        fields = ["id", "what", "body", "certified_on", "valid_until", "evidence"]


class StandingOut(Schema):
    refresher_due_on: dt.date | None = Field(
        description="The last course, workshop or refresher plus the organisation's refresher interval."
    )
    due_on: dt.date | None = Field(description="The earlier of that and the latest certification's end.")
    overdue: bool


class RatingsOut(Schema):
    latest_self_score: Decimal | None = Field(description="% of the applicable items done, as rated.")
    latest_self_on: dt.date | None
    latest_supervisor_score: Decimal | None
    latest_supervisor_on: dt.date | None
    recent_count: int = Field(description="Ratings of the person's sessions in the last 90 days.")


class PersonOut(Schema):
    membership_id: int = Field(description="The person's membership of the organisation: their record's id.")
    person: UserRef
    role: str
    latest_training: TrainingOut | None
    latest_certification: CertificationOut | None
    standing: StandingOut
    ratings: RatingsOut | None = Field(description="Null for an administrator.")


class TeamOut(Schema):
    refresher_months: int
    items: list[PersonOut] = Field(description="Overdue first, then nothing recorded, then by what falls due next.")


class PersonRecordOut(Schema):
    membership_id: int = Field(description="The person's membership of the organisation: their record's id.")
    person: UserRef
    role: str
    refresher_months: int
    standing: StandingOut
    trainings: list[TrainingOut]
    certifications: list[CertificationOut]
    ratings: RatingsOut | None = Field(description="Null for an administrator.")


class TrainingIn(InputSchema):
    kind: str = one_of(TrainingKind.values)
    title: Title
    provider: Provider = ""
    completed_on: dt.date = Field(description="Not in the future.")
    # A number (not pydantic's number-or-string Decimal), at most one decimal: the service checks the range.
    hours: Annotated[float, Field(allow_inf_nan=False), AfterValidator(one_decimal)] | None = Field(
        None, description="More than 0, at most one decimal; null if not counted."
    )
    note: TrainingNote = ""
