"""A therapist sends a PHQ-9 link, the client answers on a phone, and a positive item 9 reaches the home pages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, ViewportSize, expect

from tests.conftest import PASSWORD, Personas
from tests.courses.factories import make_course
from tests.e2e.conftest import LogIn

PHONE: ViewportSize = {"width": 390, "height": 844}
ANSWERS = ["Several days"] * 7 + ["More than half the days", "Several days"]  # item 9 positive, total 10


def test_it_takes_a_phq9_from_link_to_alert(page: Page, personas: Personas, log_in: LogIn, live_server) -> None:
    personas.org_a.crisis_contacts = "Alpha crisis line: call 0000, day or night."
    personas.org_a.save()
    course = make_course(personas.client_a, personas.therapist_a)  # the score must land on its trajectory

    log_in(page, personas.therapist_a.email, PASSWORD)
    page.goto(f"/clients/{personas.client_a.pk}/")
    page.get_by_role("link", name="Measures and risk").click()
    page.get_by_label("Questionnaire to send").select_option(value="phq9")
    expect(page.get_by_label("Questionnaire to send")).to_have_value("phq9")
    page.get_by_role("button", name="Create the link").click()
    link = page.get_by_label("Link").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/r/[A-Za-z0-9_-]{{40,}}/", link)

    # The client, on a phone, with no login.
    browser = page.context.browser
    assert browser is not None
    phone = browser.new_context(viewport=PHONE, locale="en-GB")
    client_page = phone.new_page()
    client_page.goto(link)
    expect(client_page.get_by_role("heading", name="PHQ-9")).to_be_visible()
    width = client_page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    questions = client_page.get_by_role("group")
    for number, answer in enumerate(ANSWERS):
        questions.nth(number).get_by_label(answer, exact=True).check()
    client_page.get_by_role("button", name="Send my answers").click()
    expect(client_page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(client_page.get_by_role("alert")).to_contain_text("Alpha crisis line: call 0000, day or night.")
    # Truthfully who was told and when: the therapist now, the supervisors after the organisation's delay.
    expect(client_page.get_by_role("alert")).to_contain_text(
        "Your therapist has been sent a message about your answer at Alpha Clinic."
    )
    expect(client_page.get_by_role("alert")).to_contain_text(
        "If nobody has looked at it within 4 hours, the service's supervisors are told."
    )
    phone.close()

    # Back with the therapist: the alert leads the home page, and the score is on the client's measures.
    page.goto("/")
    alerts = page.get_by_role("region", name=re.compile("Open risk alerts"))
    expect(alerts).to_contain_text("PHQ-9 item 9 answered “Several days”")
    expect(alerts).to_contain_text("Not yet")  # nobody has opened it yet
    page.goto(f"/clients/{personas.client_a.pk}/measures/")
    expect(page.get_by_role("cell", name=re.compile(r"^10 · moderate"))).to_be_visible()
    page.goto(f"/courses/{course.pk}/")
    trajectory = page.get_by_role("table", name="PHQ-9 scores in this course")
    expect(trajectory.get_by_role("row")).to_have_count(2)  # the header and the client's answers
    expect(trajectory).to_contain_text("moderate")
    expect(page.get_by_role("img", name=re.compile("PHQ-9"))).to_be_visible()

    # The supervisor sees it too, and closes it with the assessment and action.
    page.get_by_role("button", name="Log out").click()
    log_in(page, personas.supervisor_a.email, PASSWORD)
    page.get_by_role("link", name="Assess and act").first.click()
    # Opening it acknowledged it; who was told is on the page.
    expect(page.get_by_text("by Sunil Alpha")).to_be_visible()
    who = page.get_by_role("region", name="Who was told")
    expect(who).to_contain_text("Tara Alpha")
    expect(who).to_contain_text("sent to the clinicians responsible")
    page.get_by_label("Low").check()
    page.get_by_label("Assessment").fill("Passive thoughts, no plan or intent; partner at home.")
    page.get_by_label("Safety plan made or reviewed").check()
    page.get_by_role("button", name="Close the alert").click()
    expect(page.get_by_text("The alert is closed")).to_be_visible()
    page.goto("/")
    expect(page.get_by_role("region", name=re.compile("Open risk alerts"))).to_have_count(0)
