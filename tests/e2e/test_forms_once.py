"""Issue 16: "Record session" sent twice from the browser records one session; and an archived client's session
form says why nothing can be recorded (items 1 and 4, where a therapist meets them)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, Request, expect

from iptriad.accounts.once import REPLAYED
from iptriad.clients.services import ERROR_CLIENT_ARCHIVED, client_archive
from iptriad.courses.models import CourseSession
from tests.conftest import PASSWORD, Personas
from tests.courses.factories import full_course
from tests.e2e.conftest import LogIn


def fill_session(page: Page) -> None:
    page.get_by_label("Date of the session").fill(timezone.localdate().isoformat())
    page.get_by_label("None was set").check()
    page.get_by_label("Asked: no current risk").check()


def test_record_session_sent_twice_records_one_session(page: Page, log_in: LogIn, personas: Personas) -> None:
    records = full_course(personas.client_a, personas.therapist_a)
    log_in(page, personas.therapist_a.email, PASSWORD)
    page.goto(reverse("course-session-new", args=[records.course.pk]))
    fill_session(page)
    # What the browser sends (the form as shown, with its key), kept to send it again as a retry would.
    sent: list[Request] = []
    page.on("request", lambda request: sent.append(request) if request.method == "POST" else None)

    page.get_by_role("button", name="Record session 2").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Session 2")
    first = page.url

    # The same submission again from this browser (a second click that got through, a retry after a lost answer).
    [submission] = sent
    again = page.request.post(
        submission.url,
        data=submission.post_data_buffer,
        headers={"Content-Type": submission.headers["content-type"], "Referer": submission.url},
    )
    assert again.url == first  # sent to the session already recorded, with a note saying so
    assert REPLAYED in again.text()
    assert CourseSession.objects.filter(course=records.course).count() == 2  # the factory's session 1 and this one


def test_an_archived_clients_session_form_says_why_nothing_is_recorded(
    page: Page, log_in: LogIn, personas: Personas
) -> None:
    records = full_course(personas.client_a, personas.therapist_a)
    client_archive(actor=personas.actor(personas.therapist_a), client=personas.client_a)
    log_in(page, personas.therapist_a.email, PASSWORD)
    page.goto(reverse("course-session-new", args=[records.course.pk]))
    fill_session(page)
    page.get_by_role("button", name="Record session 2").click()
    expect(page.get_by_role("main")).to_contain_text(ERROR_CLIENT_ARCHIVED)
    assert CourseSession.objects.filter(course=records.course).count() == 1
