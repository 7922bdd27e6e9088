"""Answer schemas derived from a model, every field typed as the database stores it.

ninja's ModelSchema types a field for a body sent in: one that is blank, has a default or is the primary key comes
out optional and nullable, and its own declarations go before the model's fields. An answer always carries every
field, null only where the column is, in the order the schema names them; so the OpenAPI document keeps saying
`end_reason` is a required string, not an optional one that may be null.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, ForeignKey, Model
from ninja import Schema
from ninja.orm.fields import TYPES  # ninja's Django field -> Python type table (ninja.orm.register_field adds to it)
from ninja.schema import ResolverMetaclass


def stored_type(model: type[Model], name: str) -> Any:
    """The Python type of a column's value: a foreign key's is the related key's; nullable only if the column is."""
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is not a column")
    column = field.target_field if isinstance(field, ForeignKey) else field
    python_type: Any = TYPES[column.get_internal_type()]
    return python_type | None if field.null else python_type


class StoredSchemaMetaclass(ResolverMetaclass):
    """Types each field named in `Meta.fields` that the class does not declare itself, before pydantic sees it."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any) -> Any:
        meta = namespace.get("Meta")
        if meta is not None:
            declared: dict[str, Any] = namespace.get("__annotations__", {})
            namespace["__annotations__"] = {
                **{field: declared.get(field) or stored_type(meta.model, field) for field in meta.fields},
                **declared,
            }
        return super().__new__(mcs, name, bases, namespace, **kwargs)


class StoredSchema(Schema, metaclass=StoredSchemaMetaclass):
    """An answer of a model's fields: `class Meta: model = ...; fields = [...]` as in a ModelSchema, each field
    required and typed as stored unless the class declares it (a nested record, a description)."""
