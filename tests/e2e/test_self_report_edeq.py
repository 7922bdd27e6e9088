"""A client answers the EDE-Q (IPT-BN) on a phone from a link, once the operator has loaded its wording: 22 rated
questions and six "how many times" numbers, one left empty; the global score reaches the therapist."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from playwright.sync_api import Page, ViewportSize, expect

from iptriad.core.instruments import instrument
from iptriad.measures.models import Administration
from iptriad.measures.services import self_report_link_create
from tests.conftest import Personas
from tests.measures.test_ipsrt_ipt_bn_instruments import wording

PHONE: ViewportSize = {"width": 390, "height": 844}
COUNTS = {13: "4", 14: "2", 15: "", 16: "0", 17: "0", 18: "3"}  # item 15 left empty


def test_a_client_answers_the_edeq_on_a_phone(page: Page, personas: Personas, live_server, settings, tmp_path) -> None:
    (tmp_path / "edeq.toml").write_text(wording("edeq"))
    settings.INSTRUMENT_TEXT_DIR = str(tmp_path)
    _, token = self_report_link_create(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="edeq"
    )

    browser = page.context.browser
    assert browser is not None
    phone = browser.new_context(viewport=PHONE, locale="en-GB")
    client_page = phone.new_page()
    client_page.goto(live_server.url + reverse("self-report", args=[token]))
    expect(client_page.get_by_role("heading", name="EDE-Q")).to_be_visible()
    for item in instrument("edeq").items:
        if item.count is not None:
            client_page.get_by_label(f"{item.number}. Local edeq item {item.number}").fill(COUNTS[item.number])
        else:
            client_page.get_by_label(f"edeq {item.number} option 3", exact=True).check()
    assert client_page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    client_page.get_by_role("button", name="Send my answers").click()
    expect(client_page.get_by_role("heading", name="Thank you")).to_be_visible()
    phone.close()

    administration = Administration.objects.get()
    assert (administration.total, administration.band, administration.missing_items) == (
        Decimal(3), "below the clinical-significance cut-off", [15],
    )  # fmt: skip
    counts = {a.item_number: a.position for a in administration.answers.all() if 13 <= a.item_number <= 18}
    assert counts == {13: 4, 14: 2, 15: None, 16: 0, 17: 0, 18: 3}
