"""SQLite's planner statistics: gathered by the nightly task, nothing to do on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from iptriad.tasks import huey
from iptriad.web.statistics import statistics_refresh
from iptriad.web.tasks import statistics_refresh_task

pytestmark = pytest.mark.django_db


def test_it_gathers_sqlite_statistics_and_leaves_postgresql_to_autovacuum(personas):
    gathered = statistics_refresh()
    assert gathered is (connection.vendor == "sqlite")
    if gathered:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'accounts_membership'")
            assert cursor.fetchone()[0] > 0


def test_the_worker_runs_it_every_night(db):
    nightly = {task.name: task for task in huey._registry.periodic_tasks}["web.statistics"]
    assert nightly.validate_datetime(dt.datetime(2026, 12, 7, 3, 20, tzinfo=dt.UTC))
    assert not nightly.validate_datetime(dt.datetime(2026, 12, 7, 3, 21, tzinfo=dt.UTC))
    statistics_refresh_task.call_local()  # runs as the worker would
