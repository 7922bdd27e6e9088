"""Client records."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StrictBool

from iptriad.api.schemas.common import (
    Id,
    InputSchema,
    Line,
    PageMeta,
    PageQuery,
    Search,
    UserRef,
    column_limit,
    no_nul,
)
from iptriad.api.schemas.stored import StoredSchema
from iptriad.clients.models import Client
from iptriad.clients.services import ClientDetails
from iptriad.core.details import field_names


def _text(name: str) -> int:
    return column_limit(Client, name)


# The client's texts, each as long as its column.
Identifier = Annotated[str, Field(max_length=_text("identifier")), AfterValidator(no_nul)]
Name = Annotated[str, Field(max_length=_text("given_name")), AfterValidator(no_nul)]
Gender = Annotated[str, Field(max_length=_text("gender")), AfterValidator(no_nul)]
Phone = Annotated[str, Field(max_length=_text("phone")), AfterValidator(no_nul)]
Email = Annotated[str, Field(max_length=_text("email")), AfterValidator(no_nul)]
SexValue = Literal["female", "male", "intersex", "not_recorded"]
ChannelValue = Literal["none", "email", "sms"]


class ClientOut(StoredSchema):
    therapist: UserRef | None
    consent_to_messages_by: UserRef | None = Field(description="Who recorded the consent to messages.")
    status: str = Field(description="active or archived")

    class Meta:
        model = Client
        fields = [
            "id",
            *field_names(ClientDetails),
            "consent_to_messages_by",
            "messages_opted_out_at",
            "status",
            "archived_at",
            "created_at",
            "updated_at",
        ]


class ClientPage(PageMeta):
    items: list[ClientOut]


class ClientListQuery(PageQuery):
    q: Search = Field("", description="Search by name or identifier.")
    status: Literal["active", "archived", "all"] = "active"


class ClientIn(InputSchema):
    """A client as entered on the client form; the service checks dates, consent, therapist and identifier."""

    identifier: Identifier = Field(description="The organisation's own record number: letters, digits, . / _ -")
    given_name: Name
    family_name: Name
    date_of_birth: dt.date
    sex: SexValue = "not_recorded"
    gender: Gender = ""
    phone: Phone = ""
    email: Email = ""
    preferred_language: Line = Field("en", description="A language code, e.g. en, fr, sw.")
    consent_to_treatment: StrictBool = False
    consent_to_treatment_on: dt.date | None = None
    consent_to_data_use: StrictBool = False
    consent_to_data_use_on: dt.date | None = None
    therapist: Id | None = Field(None, description="The user id of the assigned therapist or supervisor.")
    message_channel: ChannelValue = Field("none", description="How the client wants messages: none, email or sms.")
    consent_to_messages: StrictBool = False
    consent_to_messages_on: dt.date | None = None


class ClientPatch(InputSchema):
    """Only the fields sent change; send null to clear a date or the therapist."""

    identifier: Identifier | None = None
    given_name: Name | None = None
    family_name: Name | None = None
    date_of_birth: dt.date | None = None
    sex: SexValue | None = None
    gender: Gender | None = None
    phone: Phone | None = None
    email: Email | None = None
    preferred_language: Line | None = None
    consent_to_treatment: StrictBool | None = None
    consent_to_treatment_on: dt.date | None = None
    consent_to_data_use: StrictBool | None = None
    consent_to_data_use_on: dt.date | None = None
    therapist: Id | None = None
    message_channel: ChannelValue | None = None
    consent_to_messages: StrictBool | None = None
    consent_to_messages_on: dt.date | None = None
