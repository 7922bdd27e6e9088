"""The idempotency keys moved from iptriad.api down to iptriad.accounts (decision 0026): migrating keeps every key
and its kept answer, and migrating back returns them to the API's table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from iptriad.accounts.models import IdempotencyKey

BEFORE_THE_MOVE = [("api", "0002_idempotency_keys"), ("accounts", "0007_user_mobile_phone")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_keys_and_their_answers_survive_the_move_both_ways(personas):
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()  # every app: some depend on accounts' last
    now = timezone.now()
    IdempotencyKey.objects.create(
        organisation=personas.org_a,
        user=personas.therapist_a,
        key="kept-before-the-move",
        fingerprint="a" * 64,
        status=201,
        content_type="application/json",
        body='{"id": 1}',
        created_at=now,
        expires_at=now + dt.timedelta(hours=24),
    )

    executor = migrate(BEFORE_THE_MOVE)
    old = executor.loader.project_state(BEFORE_THE_MOVE).apps.get_model("api", "IdempotencyKey")
    assert list(old.objects.values_list("key", "body")) == [("kept-before-the-move", '{"id": 1}')]
    old.objects.create(
        organisation_id=personas.org_a.pk,
        user_id=personas.therapist_a.pk,
        key="made-by-the-old-code",
        fingerprint="b" * 64,
        created_at=now,
        expires_at=now + dt.timedelta(hours=24),
    )

    migrate(leaves)
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == [
        "kept-before-the-move",
        "made-by-the-old-code",
    ]
    assert IdempotencyKey.objects.get(key="kept-before-the-move").body == '{"id": 1}'
    assert "datarights_exportrequest" in connection.introspection.table_names()  # what depends on accounts is back
