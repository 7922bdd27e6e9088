"""A service's details built from a form's cleaned data or an API body by the dataclass's own field names."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from iptriad.core.details import details_from, field_names


@dataclasses.dataclass(frozen=True)
class Visit:
    held_on: dt.date
    topics: tuple[str, ...] = ()
    note: str = ""


def test_it_names_the_fields_in_their_order():
    assert field_names(Visit) == ("held_on", "topics", "note")


def test_it_takes_each_field_from_the_values_by_its_name():
    values = {"held_on": dt.date(2026, 9, 1), "topics": ("grief",), "note": "Tearful"}
    assert details_from(Visit, values) == Visit(dt.date(2026, 9, 1), ("grief",), "Tearful")


def test_it_leaves_out_what_is_not_a_field():
    values = {"held_on": dt.date(2026, 9, 1), "renegotiation_note": "Asked for two more"}
    assert details_from(Visit, values) == Visit(dt.date(2026, 9, 1))


def test_a_field_the_values_lack_keeps_its_default():
    assert details_from(Visit, {"held_on": dt.date(2026, 9, 1)}).note == ""


def test_a_converted_value_replaces_the_one_given():
    topics = ["grief", "role_dispute"]
    visit = details_from(Visit, {"held_on": dt.date(2026, 9, 1), "topics": topics}, topics=tuple(topics))
    assert visit.topics == ("grief", "role_dispute")


def test_a_required_field_missing_everywhere_is_an_error():
    with pytest.raises(TypeError, match="held_on"):
        details_from(Visit, {"note": "No date"})


def test_a_converted_value_must_be_a_field():
    with pytest.raises(TypeError, match="topic"):
        details_from(Visit, {"held_on": dt.date(2026, 9, 1)}, topic=("grief",))
