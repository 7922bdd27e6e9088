"""Two submissions of one session form at the same moment (a double click that reached two workers), on PostgreSQL
where requests truly run at once: the second waits at its claim of the form's key until the first commits, then is
sent to the first's session. Never two sessions, never two alerts (issue 16, item 1)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from iptriad.courses.models import CourseSession
from iptriad.courses.services.sessions import course_session_record
from iptriad.courses.views import sessions as session_views
from iptriad.measures.models import RiskAlert
from iptriad.web.pages import ONCE_FIELD
from tests.accounts.test_forms_once import key_on
from tests.api.test_retries_postgresql import WAIT, wait_until_a_request_waits_for_a_lock
from tests.conftest import logged_in
from tests.courses.factories import full_course
from tests.courses.test_sessions_pages import CONCERN, VALID_FORM

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]


def test_two_submissions_of_one_form_at_once_record_one_session(personas, monkeypatch, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 26, 12, tzinfo=dt.UTC), tick=True)
    records = full_course(personas.client_a, personas.therapist_a)
    url = reverse("course-session-new", args=[records.course.pk])
    http = logged_in(personas.therapist_a)
    form = {
        **VALID_FORM,
        "risk_check": "concern",
        "concern": CONCERN,
        ONCE_FIELD: key_on(http.get(url).content.decode()),
    }
    inside, go_on = threading.Event(), threading.Event()
    calls: list[str] = []
    record: Callable[..., Any] = course_session_record

    def held_record(**kwargs: Any) -> Any:
        """The first submission records, then holds its transaction open until told to go on."""
        calls.append(threading.current_thread().name)
        saved = record(**kwargs)
        if len(calls) == 1:
            inside.set()
            assert go_on.wait(WAIT)
        return saved

    monkeypatch.setattr(session_views, "course_session_record", held_record)
    answers: dict[str, Any] = {}

    def post() -> None:
        try:
            answers[threading.current_thread().name] = http.post(url, form)
        finally:
            connection.close()

    first = threading.Thread(target=post, name="first")
    first.start()
    assert inside.wait(WAIT)
    second = threading.Thread(target=post, name="second")
    second.start()
    wait_until_a_request_waits_for_a_lock()
    go_on.set()
    first.join(WAIT)
    second.join(WAIT)

    session = CourseSession.objects.get(course=records.course, number=2)
    assert (
        answers["first"]["Location"]
        == answers["second"]["Location"]
        == reverse("course-session-detail", args=[session.pk])
    )
    assert calls == ["first"]  # the second never reached the service
    assert CourseSession.objects.filter(course=records.course).count() == 2
    assert RiskAlert.objects.filter(client=personas.client_a).count() == 1
