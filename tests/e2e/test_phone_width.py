"""At a phone's width the pages fit the screen: nothing scrolls sideways, the navigation stays in reach."""

from __future__ import annotations

from playwright.sync_api import Page, ViewportSize, expect

from iptriad.accounts.models import Membership, Role
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn

PHONE: ViewportSize = {"width": 390, "height": 844}


def assert_no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]}px wide on a {widths[1]}px screen"


def test_it_fits_the_client_list_and_form_to_a_phone_screen(page: Page, personas: Personas, log_in: LogIn) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, personas.therapist_a.email, PASSWORD)
    navigation = page.get_by_role("navigation", name="Main")

    page.goto("/clients/")
    expect(page.get_by_role("link", name="Alphason, Casey")).to_be_visible()
    expect(navigation).to_be_visible()
    expect(navigation.get_by_role("link", name="Clients")).to_be_visible()
    expect(page.get_by_role("link", name="Add a client")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="Add a client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a client")
    expect(navigation).to_be_visible()
    assert_no_horizontal_scroll(page)

    # With the error summary and the messages beside the fields, the long lines must wrap too.
    page.get_by_label("Phone").fill("not a phone number")
    page.get_by_role("button", name="Add client").click()
    expect(page.get_by_role("alert")).to_contain_text("Phone: Enter a phone number of 7 to 20 digits")
    assert_no_horizontal_scroll(page)


def test_it_fits_the_organisation_switcher_to_a_phone_screen(page: Page, personas: Personas, log_in: LogIn) -> None:
    Membership.objects.create(user=personas.therapist_a, organisation=personas.org_b, role=Role.SUPERVISOR)
    page.set_viewport_size(PHONE)
    log_in(page, personas.therapist_a.email, PASSWORD)

    page.goto("/clients/")
    expect(page.get_by_label("Organisation")).to_be_visible()
    assert_no_horizontal_scroll(page)
