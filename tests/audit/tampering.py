"""Changing the audit table behind the application's back, as someone with database access could."""

# Table names come from the model, values are parameters: the f-strings build no SQL from input.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from iptriad.audit.models import AuditChainHead, AuditEvent

EVENTS = AuditEvent._meta.db_table
HEADS = AuditChainHead._meta.db_table


@contextmanager
def triggers_lifted() -> Iterator[None]:
    """On PostgreSQL, switch off the append-only trigger for this connection, as a superuser can."""
    postgresql = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgresql:
            cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            if postgresql:
                cursor.execute("SET session_replication_role = origin")


def tamper(sql: str, params: list[Any]) -> None:
    """Run raw SQL on the audit table, behind the application's back."""
    with triggers_lifted(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def json_param() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def set_detail(event: AuditEvent, detail: str) -> None:
    tamper(f"UPDATE {EVENTS} SET detail = {json_param()} WHERE id = %s", [detail, event.pk])


def set_action(event: AuditEvent, action: str) -> None:
    tamper(f"UPDATE {EVENTS} SET action = %s WHERE id = %s", [action, event.pk])


def set_created_at(event: AuditEvent, created_at: dt.datetime) -> None:
    tamper(f"UPDATE {EVENTS} SET created_at = %s WHERE id = %s", [created_at, event.pk])


def delete(event: AuditEvent) -> None:
    tamper(f"DELETE FROM {EVENTS} WHERE id = %s", [event.pk])


def swap_content(first: AuditEvent, second: AuditEvent) -> None:
    """Exchange every column but the id and the position, hashes included: the two events trade places."""
    stored = {event.pk: AuditEvent.objects.get(pk=event.pk) for event in (first, second)}
    for target, source in ((first, stored[second.pk]), (second, stored[first.pk])):
        tamper(
            f"UPDATE {EVENTS} SET actor_id = %s, action = %s, object_type = %s, object_id = %s, "
            f"detail = {json_param()}, created_at = %s, previous_hash = %s, event_hash = %s WHERE id = %s",
            [
                source.actor_id,
                source.action,
                source.object_type,
                source.object_id,
                json.dumps(source.detail),
                source.created_at,
                source.previous_hash,
                source.event_hash,
                target.pk,
            ],
        )
