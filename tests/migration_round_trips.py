"""A data migration's round trip: rows written by today's code, read back in the old schema, and again once
migrated forward (tests/test_migration_round_trips.py runs every one, in one round trip of the whole schema).

Each round trip names the state before its migration, writes its rows at today's schema, checks them at the old
state, and checks them again at today's. Going back is the costly part (Django renders the models of every state
it passes, about 20 seconds a trip), so the trips share one: back to the earliest state any of them names, per app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.conftest import Personas

Target = tuple[str, str]  # (app label, migration name)


@dataclass(frozen=True)
class RoundTrip:
    name: str
    before: list[Target]  # the state before the migration: an app of it may be taken further back, never less
    write: Callable[[Personas], Any]  # at today's schema; returns what the checks need
    check_old: Callable[[Apps, Any], None]  # the historical models at the shared old state, and what `write` gave
    check_new: Callable[[Any], None]  # at today's schema again


def migrate(targets: list[Target]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def leaf_targets() -> list[Target]:
    """Every app's last migration: going back unapplies the apps built on those taken back, which must come back
    too, or the tests after find their tables gone."""
    return list(MigrationExecutor(connection).loader.graph.leaf_nodes())


def earliest(befores: Iterable[list[Target]]) -> list[Target]:
    """Per app, the earliest of the states named (migration names start with their number)."""
    found: dict[str, str] = {}
    for app, name in (target for before in befores for target in before):
        found[app] = min(found.get(app, name), name)
    return sorted(found.items())
