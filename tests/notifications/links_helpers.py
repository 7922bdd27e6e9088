"""A client who agreed to messages, with an open course whose next session is planned, for the links tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from iptriad.clients.models import Client
from iptriad.core.schedules import default_schedule
from iptriad.courses.models import Course
from iptriad.measures.schedules import measure_schedule_defaults_create
from tests.conftest import Personas, make_client
from tests.courses.factories import make_course

CONSENTED: dict[str, Any] = {
    "email": "casey@example.org",
    "phone": "+44 7700 900123",
    "message_channel": "email",
    "consent_to_messages": True,
    "consent_to_messages_on": dt.date(2026, 11, 2),
}


def consenting_client(personas: Personas, identifier: str = "MSG-1", **fields: Any) -> Client:
    return make_client(personas.org_a, identifier, personas.therapist_a, **{**CONSENTED, **fields})


def course_planned(client: Client, personas: Personas, starts_at: dt.datetime) -> Course:
    """An open course (no session held yet: PHQ-9, GAD-7 and WSAS are due at session 1) planned for starts_at."""
    course = make_course(client, personas.therapist_a)
    measure_schedule_defaults_create(context=course.treatment_context, rules=default_schedule(course.adaptation))
    Course.objects.filter(pk=course.pk).update(next_session_at=starts_at)
    course.refresh_from_db()
    return course


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)
