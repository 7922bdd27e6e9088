"""Two requests with one Idempotency-Key at the same time, on PostgreSQL (where requests truly run at once): the
second waits at its claim of the key until the first commits, then replays the first's answer; if the first was
refused, the second goes ahead. Never two administrations, never two alerts."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client as HttpClient

from iptriad.api import measures as measures_api
from iptriad.measures.models import Administration, RiskAlert
from iptriad.measures.services import administration_record
from tests.api.conftest import BASE, token_for
from tests.measures.factories import PHQ9_WITH_RISK

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

WAIT = 10.0  # seconds: far more than either request needs


def wait_until_a_request_waits_for_a_lock() -> None:
    """Until another connection is blocked on a lock (the second request's claim of the key)."""
    deadline = time.monotonic() + WAIT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second request never waited for the first")


def post_in_thread(token: str, path: str, body: dict[str, Any], key: str, answers: dict[str, Any]) -> threading.Thread:
    def post() -> None:
        try:
            answers[key + threading.current_thread().name] = HttpClient().post(
                BASE + path,
                body,
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            )
        finally:
            connection.close()

    thread = threading.Thread(target=post)
    thread.start()
    return thread


@pytest.mark.parametrize("first_succeeds", [True, False], ids=["first-created", "first-refused"])
def test_two_requests_with_one_key_at_once_never_both_create(personas, monkeypatch, first_succeeds):
    token = token_for(personas.therapist_a, personas.org_a)
    path = f"/clients/{personas.client_a.pk}/administrations"
    body = {"instrument": "phq9", "answers": PHQ9_WITH_RISK}
    key = str(uuid.uuid4())
    inside, go_on = threading.Event(), threading.Event()
    calls: list[str] = []
    record: Callable[..., Any] = administration_record

    def held_record(**kwargs: Any) -> Any:
        """The first request creates (or is refused), then holds its transaction open until told to go on."""
        calls.append(threading.current_thread().name)
        if len(calls) > 1:
            return record(**kwargs)
        with transaction.atomic():  # as a service that writes, then refuses: its own transaction rolls back
            created = record(**kwargs)
            inside.set()
            assert go_on.wait(WAIT)
            if not first_succeeds:
                raise ValidationError("Refused after writing.")
        return created

    monkeypatch.setattr(measures_api, "administration_record", held_record)
    answers: dict[str, Any] = {}
    first = post_in_thread(token, path, body, key, answers)
    assert inside.wait(WAIT)
    second = post_in_thread(token, path, body, key, answers)
    wait_until_a_request_waits_for_a_lock()
    go_on.set()
    first.join(WAIT)
    second.join(WAIT)
    first_answer, second_answer = answers[key + first.name], answers[key + second.name]

    if first_succeeds:
        assert (first_answer.status_code, second_answer.status_code) == (201, 201)
        assert "Idempotent-Replayed" not in first_answer
        assert second_answer["Idempotent-Replayed"] == "true"
        assert second_answer.content == first_answer.content
        assert calls == [first.name]  # the second never reached the service
    else:
        assert (first_answer.status_code, second_answer.status_code) == (422, 201)
        assert "Idempotent-Replayed" not in second_answer
        assert calls == [first.name, second.name]
    assert (Administration.objects.count(), RiskAlert.objects.count()) == (1, 1)
