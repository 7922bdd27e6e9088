"""A service's input, a frozen dataclass of details, built from parsed input by the dataclass's own field names.

A page form's cleaned data and an API body carry the same fields as the details a service takes (an assessment, a
session, a client ...): the dataclass names them once, and neither the form nor the API copies them one by one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

D = TypeVar("D", bound="DataclassInstance")


def field_names(details: type[DataclassInstance]) -> tuple[str, ...]:
    """The dataclass's field names in their order: what a form or an API body built from it takes."""
    return tuple(field.name for field in dataclasses.fields(details))


def details_from(details: type[D], values: Mapping[str, Any], **converted: Any) -> D:
    """`details` with each field taken from `values` by its name, or from `converted` where a value needs a
    conversion first (a tuple for a list, tidied text). A field missing from both keeps its default; names that are
    not fields (a form's extra question) are left out."""
    taken = {name: values[name] for name in field_names(details) if name in values}
    return details(**(taken | converted))
