"""Whether the database's schema is this version's: commands refuse to work on one that is behind."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def unapplied_migrations() -> int:
    """How many of this version's migrations the database has not applied (0 when it is up to date)."""
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
