"""A member of two organisations switches between them in the header and sees only the current one's clients."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from iptriad.accounts.models import Membership, Role
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn


def test_it_shows_only_the_chosen_organisations_clients_after_switching(
    page: Page, personas: Personas, log_in: LogIn
) -> None:
    # A supervisor in Beta Service sees all of its clients, so the switch alone decides what is listed.
    Membership.objects.create(user=personas.therapist_a, organisation=personas.org_b, role=Role.SUPERVISOR)
    log_in(page, personas.therapist_a.email, PASSWORD)
    navigation = page.get_by_role("navigation", name="Main")
    switcher = page.get_by_label("Organisation")

    navigation.get_by_role("link", name="Clients").click()
    expect(switcher).to_have_value(str(personas.org_a.pk))
    expect(page.get_by_role("link", name="Alphason, Casey")).to_be_visible()
    expect(page.get_by_role("link", name="Betason, Corin")).to_have_count(0)

    switcher.select_option(label="Beta Service (Supervisor)")
    page.get_by_role("button", name="Switch").click()
    expect(page.get_by_role("status")).to_have_text("You are now working in Beta Service.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Supervision overview")
    expect(switcher).to_have_value(str(personas.org_b.pk))

    navigation.get_by_role("link", name="Clients").click()
    expect(page.get_by_role("link", name="Betason, Corin")).to_be_visible()
    expect(page.get_by_role("link", name="Alphason, Casey")).to_have_count(0)
    expect(page.locator("#client-results .count")).to_have_text("1 client")
