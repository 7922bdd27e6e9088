"""The idempotency keys moved from iptriad.api down to iptriad.accounts (decision 0026): migrating keeps every key
and its kept answer, and migrating back returns them to the API's table (run by tests/test_migration_round_trips.py).
"""

from __future__ import annotations

import datetime as dt

from django.apps.registry import Apps
from django.utils import timezone

from iptriad.accounts.models import IdempotencyKey
from tests.conftest import Personas
from tests.migration_round_trips import RoundTrip


def write(personas: Personas) -> Personas:
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
    return personas


def check_old(old: Apps, personas: Personas) -> None:
    old_keys = old.get_model("api", "IdempotencyKey")
    assert list(old_keys.objects.values_list("key", "body")) == [("kept-before-the-move", '{"id": 1}')]
    now = timezone.now()
    old_keys.objects.create(
        organisation_id=personas.org_a.pk,
        user_id=personas.therapist_a.pk,
        key="made-by-the-old-code",
        fingerprint="b" * 64,
        created_at=now,
        expires_at=now + dt.timedelta(hours=24),
    )


def check_new(personas: Personas) -> None:
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == [
        "kept-before-the-move",
        "made-by-the-old-code",
    ]
    assert IdempotencyKey.objects.get(key="kept-before-the-move").body == '{"id": 1}'


IDEMPOTENCY_KEYS_MOVE = RoundTrip(
    name="idempotency keys moved to accounts",
    before=[("api", "0002_idempotency_keys"), ("accounts", "0007_user_mobile_phone")],
    write=write,
    check_old=check_old,
    check_new=check_new,
)
