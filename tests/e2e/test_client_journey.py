"""A therapist's first day: log in, add a client (after fixing a mistake), find them again, log out."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from iptriad.clients.models import Client
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn


def test_it_lets_a_therapist_log_in_create_a_client_find_them_and_log_out(
    page: Page, personas: Personas, log_in: LogIn
) -> None:
    today = timezone.localdate()
    clients_before = Client.objects.count()

    log_in(page, personas.therapist_a.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients")
    page.get_by_role("link", name="Add a client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a client")

    # Consent to treatment ticked, but the date it was given left empty.
    page.get_by_label("Identifier").fill("A-0042")
    page.get_by_label("Given name").fill("Jordan")
    page.get_by_label("Family name").fill("Quillfeather")
    page.get_by_label("Date of birth").fill("1987-06-15")
    page.get_by_label("Sex").select_option(label="Female")
    page.get_by_role("checkbox", name="Consent to treatment").check()
    page.get_by_label("Therapist").select_option(label=personas.therapist_a.full_name)
    page.get_by_role("button", name="Add client").click()

    summary = page.get_by_role("alert")
    expect(summary.get_by_role("heading")).to_have_text("There is a problem to fix")
    expect(summary.get_by_role("link")).to_have_text(
        "Date consent to treatment was given: Give the date consent was given."
    )
    consent_date = page.get_by_label("Date consent to treatment was given")
    expect(consent_date).to_have_value("")
    expect(consent_date).to_have_accessible_description("Give the date consent was given.")
    # What was typed is kept, so only the mistake needs fixing.
    expect(page.get_by_label("Family name")).to_have_value("Quillfeather")
    expect(page.get_by_role("checkbox", name="Consent to treatment")).to_be_checked()
    assert Client.objects.count() == clients_before

    # The summary's link takes the keyboard to the field to fix.
    summary.get_by_role("link").click()
    expect(consent_date).to_be_focused()
    consent_date.fill((today - dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Add client").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Jordan Quillfeather")
    expect(page.get_by_role("status")).to_have_text("Jordan Quillfeather was added.")
    expect(page.get_by_role("definition").first).to_have_text("A-0042")
    created = Client.objects.get(organisation=personas.org_a, identifier="A-0042")
    assert (created.full_name, created.therapist_id) == ("Jordan Quillfeather", personas.therapist_a.pk)
    assert Client.objects.count() == clients_before + 1

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    results = page.locator("#client-results")
    expect(results.get_by_role("link", name="Alphason, Casey")).to_be_visible()
    with page.expect_response(
        lambda response: "q=quill" in response.url and response.request.headers.get("hx-request") == "true"
    ) as live_search:
        page.get_by_role("searchbox", name="Search by name or identifier").fill("quill")
    assert live_search.value.ok
    expect(results.locator(".count")).to_have_text("1 client matching “quill”")
    expect(results.get_by_role("link", name="Quillfeather, Jordan")).to_be_visible()
    expect(results.get_by_role("link", name="Alphason, Casey")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/clients/\?q=quill"))  # the search can be bookmarked
    # htmx keeps no snapshot of the pages it pushed (client names) in the browser's storage.
    assert page.evaluate("Object.keys(window.localStorage)") == []

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to iptriad")
    expect(page.get_by_role("status")).to_have_text("You have logged out.")
    page.goto("/clients/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/clients/$"))
    expect(page.get_by_label("E-mail")).to_be_visible()
