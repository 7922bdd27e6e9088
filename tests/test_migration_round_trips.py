"""Every data migration's round trip (tests/migration_round_trips.py), in one trip of the whole schema: rows
written today are read back in the old schema and again once migrated forward."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from tests.accounts.idempotency_keys_migration_round_trip import IDEMPOTENCY_KEYS_MOVE
from tests.courses.context_migration_round_trip import MEASURES_TO_CONTEXTS
from tests.encryption.migration_round_trip import ENCRYPTION
from tests.migration_round_trips import RoundTrip, earliest, leaf_targets, migrate

ROUND_TRIPS = [ENCRYPTION, MEASURES_TO_CONTEXTS, IDEMPOTENCY_KEYS_MOVE]


@contextmanager
def named(trip: RoundTrip) -> Iterator[None]:
    """A failed check says which round trip it belongs to."""
    try:
        yield
    except AssertionError as failure:
        raise AssertionError(f"{trip.name}: {failure}") from failure


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow  # over ten seconds: `make test` runs it, `make test-fast` leaves it out
def test_every_data_migration_keeps_the_rows_both_ways(personas):
    leaves = leaf_targets()
    written = [(trip, trip.write(personas)) for trip in ROUND_TRIPS]
    old_state = earliest(trip.before for trip in ROUND_TRIPS)

    executor = migrate(old_state)
    old = executor.loader.project_state(old_state).apps
    for trip, data in written:
        with named(trip):
            trip.check_old(old, data)

    migrate(leaves)
    for trip, data in written:
        with named(trip):
            trip.check_new(data)
    assert "datarights_exportrequest" in connection.introspection.table_names()  # what depends on accounts is back
