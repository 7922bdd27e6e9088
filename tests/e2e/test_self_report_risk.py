"""A client's positive self-harm answer on a phone is never lost: an item left blank, a link withdrawn while the form
was open, the form sent twice. Each time the client sees the crisis contacts, and one alert opens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, BrowserContext, Locator, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from iptriad.measures.models import Administration, AlertArrival, RiskAlert, SelfReportLink
from iptriad.measures.services import self_report_link_create, self_report_link_revoke
from tests.conftest import Personas

PHONE: ViewportSize = {"width": 390, "height": 844}
CRISIS = "Alpha crisis line: call 0000, day or night."
ITEM_9_SAID = "You said you have had thoughts that you would be better off dead, or of hurting yourself in some way."
# Items 1-9; item 9 "Several days" is the positive self-harm answer.
ANSWERS = ["Several days"] * 7 + ["More than half the days", "Several days"]
# Who is told and when, with the organisation's delay (the default 4 hours), before the crisis contacts.
TOLD = (
    "Your therapist has been sent a message about your answer at Alpha Clinic. If nobody has looked at it within 4 "
    "hours, the service's supervisors are told."
)


@pytest.fixture
def phone(browser: Browser, live_server: LiveServer) -> Iterator[BrowserContext]:
    """The client's phone: no login, a fresh profile, a narrow screen."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context
    context.close()


def send_link(personas: Personas) -> tuple[SelfReportLink, str]:
    personas.org_a.crisis_contacts = CRISIS
    personas.org_a.save()
    link, token = self_report_link_create(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9"
    )
    return link, reverse("self-report", args=[token])


def answer(page: Page, *, skip: int | None = None) -> None:
    questions = page.get_by_role("group")
    for number, choice in enumerate(ANSWERS, start=1):
        if number != skip:
            questions.nth(number - 1).get_by_label(choice, exact=True).check()


def crisis(page: Page) -> Locator:
    return page.get_by_role("alert").filter(has_text="If you need help now")


def test_an_item_left_blank_keeps_the_risk_answer_and_asks_for_the_rest(personas: Personas, phone: BrowserContext):
    link, url = send_link(personas)
    page = phone.new_page()
    page.goto(url)
    assert phone.cookies() == []  # nothing a phone that blocks cookies would refuse
    phone.clear_cookies()  # as a phone that blocks cookies: whatever was set, none goes with the answers
    answer(page, skip=3)
    page.get_by_role("button", name="Send my answers").click()

    expect(crisis(page)).to_contain_text(CRISIS)
    expect(crisis(page)).to_contain_text(ITEM_9_SAID)
    expect(page.get_by_text("Your answer about your safety has been kept by Alpha Clinic.")).to_be_visible()
    expect(crisis(page)).to_contain_text(TOLD)
    question_3 = page.get_by_role("group").nth(2)
    expect(question_3).to_contain_text("Choose an answer for this question.")
    expect(page.get_by_role("group").nth(0).get_by_label("Several days", exact=True)).to_be_checked()
    expect(page.get_by_role("group").nth(8).get_by_label("Several days", exact=True)).to_be_checked()
    alert = RiskAlert.objects.get()
    assert (alert.arrival, alert.item_number, alert.administration) == (AlertArrival.INCOMPLETE_SELF_REPORT, 9, None)
    assert not Administration.objects.exists()

    question_3.get_by_label("Several days", exact=True).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(crisis(page)).to_contain_text(CRISIS)
    assert (Administration.objects.count(), RiskAlert.objects.count()) == (1, 1)
    assert RiskAlert.objects.get().administration == Administration.objects.get()
    link.refresh_from_db()
    assert link.used_at is not None
    assert phone.cookies() == []  # no page the client met set one (nor the browser's own favicon request)


def test_a_link_withdrawn_while_the_form_is_open_keeps_the_risk_answer(personas: Personas, phone: BrowserContext):
    link, url = send_link(personas)
    page = phone.new_page()
    page.goto(url)
    answer(page)
    self_report_link_revoke(actor=personas.actor(personas.therapist_a), link=link)  # meanwhile, at the clinic
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", name="This link is no longer active")).to_be_visible()
    expect(page.get_by_text("This link has been withdrawn.")).to_be_visible()
    expect(crisis(page)).to_contain_text(TOLD)
    expect(crisis(page)).to_contain_text(CRISIS)
    expect(crisis(page)).to_contain_text(ITEM_9_SAID)
    alert = RiskAlert.objects.get()
    assert (alert.arrival, alert.link_id) == (AlertArrival.INACTIVE_LINK, link.pk)
    assert not Administration.objects.exists()


def test_a_link_withdrawn_without_a_risk_answer_says_so_plainly(personas: Personas, phone: BrowserContext):
    link, url = send_link(personas)
    page = phone.new_page()
    page.goto(url)
    questions = page.get_by_role("group")
    for number in range(9):
        questions.nth(number).get_by_label("Not at all", exact=True).check()
    self_report_link_revoke(actor=personas.actor(personas.therapist_a), link=link)
    page.get_by_role("button", name="Send my answers").click()

    expect(page.get_by_role("heading", name="This link is no longer active")).to_be_visible()
    expect(page.get_by_text("This link has been withdrawn.")).to_be_visible()
    expect(crisis(page)).to_have_count(0)
    assert not RiskAlert.objects.exists()
    assert not Administration.objects.exists()


def test_the_form_sent_twice_shows_the_same_outcome_and_stores_it_once(personas: Personas, phone: BrowserContext):
    _, url = send_link(personas)
    first, second = phone.new_page(), phone.new_page()  # the link opened twice; the first reply never seen
    first.goto(url)
    second.goto(url)
    for page in (first, second):
        page.bring_to_front()  # a background tab is throttled by chromium: answering it took 13 s
        answer(page)
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        expect(crisis(page)).to_contain_text(CRISIS)
        expect(crisis(page)).to_contain_text(ITEM_9_SAID)
    second.goto(url)  # and the link reopened later: the same page, not an error
    expect(second.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(crisis(second)).to_contain_text(CRISIS)
    assert (Administration.objects.count(), RiskAlert.objects.count()) == (1, 1)
