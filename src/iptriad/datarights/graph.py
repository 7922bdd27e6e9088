"""Which tables hold a client's data, found from the models rather than listed by hand.

A record type is any model that reaches `Client` through foreign keys (directly, or via `Course`, an
administration, ...). Export and erasure both walk `client_record_types()`, so a model added later is
exported and erased without anyone remembering to list it; tests/datarights/test_graph.py checks the walk
against an independent search. Models that only point at a user or an organisation are not the client's.
"""

from __future__ import annotations

import functools
import graphlib
from dataclasses import dataclass

from django.db.models import ForeignObjectRel, Model

from iptriad.clients.models import Client


@dataclass(frozen=True)
class RecordType:
    """A model holding a client's data, and the ORM lookup from it to the client (e.g. "course__client")."""

    model: type[Model]
    path: str

    @property
    def label(self) -> str:
        return self.model._meta.label


@functools.cache
def client_record_types() -> tuple[RecordType, ...]:
    """Every model below `Client`, nearest first, each with its shortest lookup path to the client.

    Of two paths as short, one whose keys are never null wins: a roster row reaches the client through its member
    (always set) and through its symptom check (only when one was taken); filtering on the second would leave the
    rows without a check behind."""
    found: dict[type[Model], tuple[str, bool]] = {}  # model -> (path, every key on it is required)
    frontier: list[tuple[type[Model], str, bool]] = [(Client, "", True)]
    while frontier:
        level: dict[type[Model], tuple[str, bool]] = {}
        for parent, parent_path, parent_required in frontier:
            # Hidden relations too (related_name="+"): a key nobody may follow backwards still holds the data.
            for relation in parent._meta.get_fields(include_hidden=True):
                if not isinstance(relation, ForeignObjectRel) or relation.many_to_many:
                    continue  # Django's own many-to-many tables are exported as a field of their owner
                child = relation.related_model
                if not isinstance(child, type) or child is Client or child in found or child._meta.auto_created:
                    continue
                path = relation.field.name + (f"__{parent_path}" if parent_path else "")
                required = parent_required and not relation.field.null
                if child not in level or (required and not level[child][1]):
                    level[child] = (path, required)
        found.update(level)
        frontier = [(child, path, required) for child, (path, required) in level.items()]
    return tuple(RecordType(model=model, path=path) for model, (path, _required) in found.items())


@functools.cache
def erasure_order() -> tuple[RecordType, ...]:
    """The record types ordered so that a row is deleted before every row it points at (PROTECT keys)."""
    types = {record_type.model: record_type for record_type in client_record_types()}
    pointed_at_by: dict[type[Model], set[type[Model]]] = {model: set() for model in types}
    for model in types:
        for field in model._meta.concrete_fields:
            target = field.related_model
            if isinstance(target, type) and target in types and target is not model:
                pointed_at_by[target].add(model)  # `model` must go first
    return tuple(types[model] for model in graphlib.TopologicalSorter(pointed_at_by).static_order())
