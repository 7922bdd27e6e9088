"""Instruments, administrations, self-report links and risk alerts."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, StrictInt

from iptriad.api.schemas.common import ClientRef, Code, Concern, Id, InputSchema, PageMeta, Paragraph, UserRef
from iptriad.measures.models import SUMMARY_MAX_LENGTH


class OptionOut(Schema):
    position: int = Field(description="0-based, in the printed order: what `answers` holds.")
    score: float | None = Field(description="null: recorded but excluded from the total.")
    text: str | None = Field(description="null when the instrument's wording is not shipped.")


class ItemOut(Schema):
    number: int
    text: str | None
    scored: bool
    critical: bool = Field(description="A positive answer opens a risk alert.")
    lifetime: bool = Field(
        description="A lifetime question (PHQ-A item 13): its alert opens once per course; later Yes answers are "
        "history."
    )
    options: list[OptionOut] = Field(description="Empty for a count item.")
    count_max: int | None = Field(
        None,
        description="A count item (EDE-Q 13-18) asks how many times: its answer is that number, 0 to count_max, "
        "and it is never scored. null for an item answered by choosing an option.",
    )


class BandOut(Schema):
    lower: float
    label: str


class InstrumentOut(Schema):
    code: str
    version: str
    name: str
    short_name: str
    respondent: str = Field(description="self or clinician")
    audience: str
    recall_period: str
    scoring: str
    score_range: list[float]
    higher_is_better: bool
    item_text: str = Field(description="shipped, or local: the wording is licensed separately and not included.")
    stem: str | None
    items: list[ItemOut]
    bands: list[BandOut]
    licence: str
    citation: str


class AdministrationOut(Schema):
    id: int
    client_id: int
    course_id: int | None
    session_id: int | None
    instrument_code: str
    instrument_version: str
    mode: str = Field(description="in_session or self_report")
    recorded_by: UserRef | None
    completed_at: dt.datetime
    total: float | None
    band: str
    valid: bool
    prorated: bool
    score_basis: str = Field(
        description="What a valid total counts when it is not every scored item, in words (empty when it is): "
        "items left out with the maximum left (WSAS retired: items 2-5, out of 32), or prorating."
    )
    invalid_reasons: list[str] = Field(
        description="Why the total is not valid, e.g. a risk item left blank, which is never prorated."
    )
    missing_items: list[int]
    critical_items: list[int] = Field(
        description="Items answered positively: each opened a risk alert, except those in critical_history."
    )
    critical_history: list[int] = Field(
        description="Lifetime critical items (PHQ-A item 13, ever attempted) answered positively again in a course "
        "whose alert for them is already open or closed: history, no new alert."
    )
    critical_not_answered: list[int]
    subscales: dict[str, Any]


class AdministrationPage(PageMeta):
    items: list[AdministrationOut]


class AnswerOut(Schema):
    item_number: int
    position: int | None = Field(description="The option's 0-based position; for a count item, the number given.")
    score: float | None
    option_text: str | None


class AdministrationDetailOut(AdministrationOut):
    answers: list[AnswerOut]
    alert_ids: list[int] = Field(description="The risk alerts this administration opened.")


class AdministrationIn(InputSchema):
    instrument: Code = Field(description="An instrument code from GET /instruments, e.g. phq9.")
    answers: list[StrictInt | None] = Field(
        max_length=200,
        description="The chosen option's 0-based position per item (a count item: the number), in item order; "
        "null: not answered.",
    )
    session: Id | None = Field(None, description="The course session it was given in, if any.")


class LinkIn(InputSchema):
    instrument: Code
    valid_days: StrictInt = Field(7, description="1 to 30.")


class LinkOut(Schema):
    id: int
    client_id: int
    instrument_code: str
    created_at: dt.datetime
    expires_at: dt.datetime
    status: str = Field(description="waiting, completed, revoked or expired")


class LinkCreatedOut(LinkOut):
    url: str = Field(description="The link to send the client; shown once, only its hash is kept.")


class AlertOut(Schema):
    id: int
    client: ClientRef
    source: str = Field(description="critical_item or clinician_concern")
    administration_id: int | None
    item_number: int | None
    arrival: str = Field(
        description="How a critical answer arrived when not with a complete questionnaire: incomplete_self_report or "
        "inactive_link (its answers are kept with the alert, unscored); empty otherwise"
    )
    summary: str
    opened_at: dt.datetime
    acknowledged_at: dt.datetime | None = Field(
        description="When a clinician who may act on it first opened its page (or closed it); until then it escalates"
    )
    acknowledged_by: UserRef | None
    is_open: bool
    closed_at: dt.datetime | None
    closed_by: UserRef | None
    risk_level: str
    assessment: str
    action: str
    action_detail: str


class AlertListQuery(Schema):
    client: Id | None = Field(None, description="Only this client's open alerts.")


class AlertCloseIn(InputSchema):
    assessment: Paragraph = Field(description="Ideation, plan, intent, means, past attempts, protection.")
    risk_level: Literal["low", "moderate", "high"]
    action: Literal["safety_plan", "urgent_referral", "other"]
    action_detail: Paragraph = Field("", description="What was done; required when action is other.")


class ConcernIn(InputSchema):
    concern: Concern = Field(description=f"What the concern is ({SUMMARY_MAX_LENGTH} characters).")


class FhirBundleOut(Schema):
    """A FHIR R4 Bundle of type collection (see docs/api.md)."""

    model_config = {"extra": "allow"}

    resourceType: Literal["Bundle"]  # noqa: N815 - FHIR's own field names
    id: str
    type: Literal["collection"]
    entry: list[dict[str, Any]] = []
