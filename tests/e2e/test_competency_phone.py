"""Competency records on a phone (390 px), without horizontal scrolling: a supervisor finds an overdue colleague on
the team's overview, opens the record and adds the refresher they just did; the therapist then reads it."""

from __future__ import annotations

import datetime as dt
import os

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.competency.factories import make_certification, make_training
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn
from tests.e2e.test_phone_width import PHONE, assert_no_horizontal_scroll

SHOTS = os.environ.get("IPTRIAD_SHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_a_supervisor_records_a_refresher_for_an_overdue_therapist_on_a_phone(
    page: Page, personas: Personas, log_in: LogIn
) -> None:
    today = timezone.localdate()
    make_training(personas.therapist_a, personas.org_a, completed_on=today - dt.timedelta(days=4 * 365))
    make_certification(personas.therapist_a, personas.org_a, certified_on=today - dt.timedelta(days=3 * 365))
    make_training(personas.facilitator_a, personas.org_a, completed_on=today - dt.timedelta(days=100))
    page.set_viewport_size(PHONE)
    log_in(page, personas.supervisor_a.email, PASSWORD)

    page.goto("/")
    page.get_by_role("link", name="Team competency").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Team competency")
    expect(page.get_by_text("Overdue", exact=True).first).to_be_visible()
    assert_no_horizontal_scroll(page)
    _shot(page, "competency_team")

    page.get_by_role("link", name=personas.therapist_a.full_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Competency: {personas.therapist_a.full_name}")
    assert_no_horizontal_scroll(page)
    _shot(page, "competency_person")

    page.get_by_role("link", name="Add training").click()
    page.get_by_label("Refresher").check()
    page.get_by_label("Title", exact=True).fill("IPT refresher day")
    page.get_by_label("Completed on").fill(today.isoformat())
    page.get_by_role("spinbutton", name="Hours").fill("6")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Add the training").click()
    expect(page.get_by_text("Up to date: next due")).to_be_visible()
    expect(page.get_by_role("cell", name="IPT refresher day")).to_be_visible()
    assert_no_horizontal_scroll(page)
