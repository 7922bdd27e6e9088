"""The API takes a client's consent to messages and a course's next session as the pages do."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from iptriad.courses.models import Course
from tests.api.conftest import Api, fields
from tests.conftest import Personas
from tests.courses.factories import make_course

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now(time_machine: Any) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC))


def test_a_client_consent_to_messages_is_recorded_with_who_and_needs_an_address(
    therapist_api: Api, personas: Personas
) -> None:
    path = f"/clients/{personas.client_a.pk}"
    consent = {"message_channel": "email", "consent_to_messages": True, "consent_to_messages_on": "2026-11-20"}
    refused = therapist_api.patch(path, {**consent, "email": ""})
    assert refused.status_code == 422
    assert fields(refused) == {"email": ["Enter the client's e-mail address to send messages by e-mail."]}
    saved = therapist_api.patch(path, {**consent, "email": "casey@example.org"})
    assert saved.status_code == 200, saved.json()
    body = saved.json()
    assert body["message_channel"] == "email"
    assert body["consent_to_messages_on"] == "2026-11-20"
    assert body["consent_to_messages_by"]["id"] == personas.therapist_a.pk
    assert body["messages_opted_out_at"] is None
    assert therapist_api.patch(path, {"consent_to_messages_by": 99}).status_code == 422  # not the caller's to set


def test_a_course_next_session_is_planned_in_the_organisations_time_zone(
    therapist_api: Api, personas: Personas
) -> None:
    course = make_course(personas.client_a, personas.therapist_a)
    path = f"/courses/{course.pk}/next-session"
    planned = therapist_api.put(path, {"next_session_at": "2026-12-03T15:30:00"})  # London: UTC in winter
    assert planned.status_code == 200
    assert planned.json()["next_session_at"] == "2026-12-03T15:30:00Z"
    assert Course.objects.get(pk=course.pk).next_session_at == dt.datetime(2026, 12, 3, 15, 30, tzinfo=dt.UTC)
    past = therapist_api.put(path, {"next_session_at": "2026-11-01T10:00:00Z"})
    assert past.status_code == 422
    assert fields(past) == {
        "next_session_at": ["The next session cannot be in the past: give a date and time from now on."]
    }
    assert therapist_api.put(path, {"next_session_at": None}).json()["next_session_at"] is None
