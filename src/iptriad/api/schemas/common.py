"""Types shared by every resource: ids, text, errors, pages of a list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from django.db.models import Model
from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field

from iptriad.accounts.models import User
from iptriad.api.schemas.stored import StoredSchema
from iptriad.clients.models import Client
from iptriad.core.limits import NOTE_MAX, PHASE_NOTE_MAX
from iptriad.measures.models import SUMMARY_MAX_LENGTH

# The largest id a database row can have (a signed 64-bit key): larger numbers are refused as input instead of
# overflowing the database driver.
MAX_ID = 2**63 - 1
LIST_LIMIT_DEFAULT = 25
LIST_LIMIT_MAX = 100

ERROR_NUL = "Text cannot contain NUL characters."


def no_nul(value: str) -> str:
    # PostgreSQL refuses NUL in text; a form field refuses it too (ProhibitNullCharactersValidator).
    if "\x00" in value:
        raise ValueError(ERROR_NUL)
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID)]


# Bounded strings without NUL characters: a code or id of protocol data, a line, a paragraph of notes.
Code = Annotated[str, Field(max_length=80), AfterValidator(no_nul)]
Line = Annotated[str, Field(max_length=300), AfterValidator(no_nul)]
# A paragraph is as long as a note may be on the pages (iptriad.core.limits); a field with another limit has a
# type of its own, the column's (tests/api/test_text_limits.py compares every input field with its column).
Paragraph = Annotated[str, Field(max_length=NOTE_MAX), AfterValidator(no_nul)]
PhaseNote = Annotated[str, Field(max_length=PHASE_NOTE_MAX), AfterValidator(no_nul)]
Concern = Annotated[str, Field(max_length=SUMMARY_MAX_LENGTH), AfterValidator(no_nul)]  # a risk alert's summary


def column_limit(model: type[Model], name: str) -> int:
    """How many characters a text column holds: an API field takes exactly that, so what it answers can be sent back
    and nothing the pages would refuse is taken."""
    limit = model._meta.get_field(name).max_length  # type: ignore[union-attr]
    if limit is None:
        raise TypeError(f"{model.__name__}.{name} has no limit")
    return int(limit)


Search = Annotated[str, Field(max_length=100), AfterValidator(no_nul)]  # as long as the pages' search box


def one_of(values: Iterable[str], default: Any = ..., description: str | None = None) -> Any:
    """A code the service checks against `values`, so another value is refused (422) with the service's own
    message, as on the pages; the OpenAPI document lists the values as an enum."""
    return Field(default, description=description, json_schema_extra={"enum": list(values)})


def unchanged(description: str | None = None, **constraints: Any) -> Any:
    """The default of a PATCH field: left out, the stored value stays. The field's type still refuses a null where
    the value cannot be empty (send "" to empty a text)."""
    return Field(None, description=description, **constraints)


class InputSchema(Schema):
    """A request body: unknown fields are refused (a misspelt field must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class FieldError(Schema):
    field: str | None = Field(description="The input field at fault (dotted path), or null for the whole request.")
    message: str


class ErrorOut(Schema):
    """Every error answer: 400, 401, 403, 404, 405 aside, and 422."""

    detail: list[FieldError]


class UserRef(StoredSchema):
    class Meta:
        model = User
        fields = ["id", "full_name"]


class ClientRef(StoredSchema):
    class Meta:
        model = Client
        fields = ["id", "identifier", "given_name", "family_name"]


class PageMeta(Schema):
    count: int = Field(description="How many items match, over all pages.")
    limit: int
    offset: int


class PageQuery(Schema):
    limit: int = Field(LIST_LIMIT_DEFAULT, ge=1, le=LIST_LIMIT_MAX, description="Items per page (1 to 100).")
    offset: int = Field(0, ge=0, le=MAX_ID, description="How many items to skip.")


class WithExtras:
    """A record answered with a few computed values beside its own fields (for a response schema that adds them):
    the extras are attributes, every other attribute is the record's."""

    def __init__(self, record: Any, **extras: Any) -> None:
        self._record = record
        self.__dict__.update(extras)

    def __getattr__(self, name: str) -> Any:  # only for names that are not extras
        if name == "_record":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self._record, name)
