"""Issue 13's fidelity in a real browser at a phone's width: the therapist self-rates a session from their
reminders, the supervisor rates the same session from the sample, and both see the two side by side."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from iptriad.fidelity.models import FidelityRating
from tests.conftest import PASSWORD, Personas
from tests.courses.factories import full_course
from tests.e2e.conftest import LogIn
from tests.e2e.test_phone_width import PHONE, assert_no_horizontal_scroll
from tests.fidelity.factories import held_sessions


def _answer_all(page: Page, answer: str) -> None:
    for group in page.locator("[role=radiogroup]").all():
        group.get_by_text(answer, exact=True).click()


def test_a_therapist_and_the_supervisor_rate_one_session_and_see_their_agreement(
    page: Page, personas: Personas, log_in: LogIn, browser
) -> None:
    course = full_course(personas.client_a, personas.therapist_a).course
    held_sessions(course, 4)  # sessions 2-5; session 4 is the 4th therapist_a led: in the default sample (one in 4)
    page.set_viewport_size(PHONE)
    log_in(page, personas.therapist_a.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Fidelity").click()
    page.get_by_role("link", name="Session 4 with Casey Alphason").click()
    expect(page.get_by_role("button", name="Save the rating")).to_be_visible()  # the rating page, loaded
    assert_no_horizontal_scroll(page)
    _answer_all(page, "Done")
    page.get_by_role("button", name="Save the rating").click()
    expect(page.get_by_text("Rating saved: 100.0%.")).to_be_visible()

    supervisor = browser.new_context(base_url=page.url.split("/fidelity")[0], viewport=PHONE, locale="en-GB")
    supervisor_page = supervisor.new_page()
    log_in(supervisor_page, personas.supervisor_a.email, PASSWORD)
    supervisor_page.goto("/fidelity/")
    supervisor_page.get_by_role("link", name="Session 4 with Casey Alphason").click()
    expect(supervisor_page.get_by_role("button", name="Save the rating")).to_be_visible()
    _answer_all(supervisor_page, "Done")
    supervisor_page.locator("[role=radiogroup]").first.get_by_text("Partly", exact=True).click()
    supervisor_page.get_by_role("button", name="Save the rating").click()
    expect(supervisor_page.get_by_text("(different)")).to_have_count(1)
    assert_no_horizontal_scroll(supervisor_page)
    assert FidelityRating.objects.count() == 2

    page.reload()
    expect(page.get_by_text("items answered the same")).to_be_visible()
