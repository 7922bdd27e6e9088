"""What a therapist sees when a text is too long or a date makes no sense (issue 16, items 3 and 5).

The session page's note used to take a million characters; a contract used to be agreed on 0001-01-01. Each page now
keeps the text to its limit in the browser, and says what is wrong when a longer text or an impossible date is sent
anyway (an old browser, a pasted form, a typed year like 0001).
"""

from __future__ import annotations

from django.urls import reverse
from playwright.sync_api import Page, expect

from iptriad.core.limits import NOTE_MAX
from iptriad.courses.models import CourseSession, TreatmentContract
from tests.conftest import PASSWORD, Personas
from tests.courses.factories import full_course
from tests.e2e.conftest import LogIn


def test_a_session_note_over_its_limit_is_refused_with_a_message(page: Page, personas: Personas, log_in: LogIn):
    records = full_course(personas.client_a, personas.therapist_a)
    log_in(page, personas.therapist_a.email, PASSWORD)
    page.goto(reverse("course-session-new", args=[records.course.pk]))
    note = page.get_by_label("Session note")
    expect(note).to_have_attribute("maxlength", str(NOTE_MAX))
    # Typing stops at the limit in the browser; a form sent without it (an old browser, a pasted request) is refused.
    note.evaluate("element => element.removeAttribute('maxlength')")
    note.fill("x" * (NOTE_MAX + 1))
    page.get_by_label("Date of the session").fill("2026-09-22")
    page.get_by_role("button", name="Record session 2").click()
    expect(page.locator("#id_note_error")).to_contain_text(f"at most {NOTE_MAX} characters")
    assert not CourseSession.objects.filter(course=records.course, number=2).exists()


def test_a_contract_agreed_on_0001_01_01_is_refused_with_a_message(page: Page, personas: Personas, log_in: LogIn):
    records = full_course(personas.client_a, personas.therapist_a)
    records.course.contract.delete()
    log_in(page, personas.therapist_a.email, PASSWORD)
    page.goto(reverse("course-middle-contract", args=[records.course.pk]))
    page.get_by_label("Number of sessions").fill("12")
    page.get_by_label("Length of a session (minutes)").fill("50")
    page.get_by_label("Start date").fill("2026-09-01")
    page.get_by_label("Agreed by the client on").fill("0001-01-01")
    page.get_by_role("button", name="Save the contract").click()
    expect(page.locator("#id_agreed_on_error")).to_have_text(
        "This date is before the course opened (1 September 2026): check the year."
    )
    assert not TreatmentContract.objects.filter(course=records.course).exists()
