"""Answers derived from a model carry every field, typed as the column stores it, in the order the schema names."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from ninja.schema import NinjaGenerateJsonSchema

from iptriad.api.schemas.common import UserRef
from iptriad.api.schemas.courses import CourseOut
from iptriad.api.schemas.sessions import SessionSummaryOut
from iptriad.api.schemas.stored import stored_type
from iptriad.courses.models import Course, CourseSession


def document(schema) -> Any:
    return schema.model_json_schema(mode="serialization", schema_generator=NinjaGenerateJsonSchema)


def test_every_field_is_required_in_the_order_named():
    assert document(CourseOut)["required"] == CourseOut.Meta.fields
    assert list(document(CourseOut)["properties"]) == CourseOut.Meta.fields


def test_a_blank_or_defaulted_column_is_never_null_and_a_nullable_one_is():
    properties = document(CourseOut)["properties"]
    assert properties["end_reason"] == {"title": "End Reason", "type": "string"}
    assert properties["phase"]["type"] == "string"
    assert properties["id"] == {"title": "Id", "type": "integer"}
    assert {"type": "null"} in properties["closed_on"]["anyOf"]


def test_a_declared_field_keeps_its_own_type():
    assert CourseOut.model_fields["therapist"].annotation is UserRef
    assert document(SessionSummaryOut)["properties"]["strategies"]["items"] == {"type": "string"}


def test_a_foreign_key_is_the_related_key():
    assert stored_type(CourseSession, "recorded_by_id") is int
    assert stored_type(Course, "closed_on") == dt.date | None


def test_a_reverse_relation_is_not_a_column():
    with pytest.raises(TypeError, match=r"Course\.sessions"):
        stored_type(Course, "sessions")
