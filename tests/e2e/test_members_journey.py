"""An administrator deactivates a member who has left, then gives the membership back, from the members page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from iptriad.accounts.models import Membership
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn


def test_an_administrator_deactivates_and_reactivates_a_member(page: Page, personas: Personas, log_in: LogIn) -> None:
    log_in(page, personas.admin_a.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members of Alpha Clinic")
    row = page.get_by_role("row").filter(has_text="therapist.a2@alpha.example")
    expect(row).to_contain_text("Active")

    row.get_by_role("button", name="Deactivate Tove Alpha").click()
    expect(page.get_by_role("status")).to_contain_text("Tove Alpha can no longer work in Alpha Clinic.")
    row = page.get_by_role("row").filter(has_text="therapist.a2@alpha.example")
    expect(row).to_contain_text("Deactivated")
    assert not Membership.objects.get(user=personas.therapist_a2, organisation=personas.org_a).is_active
    expect(page.get_by_role("row").filter(has_text="admin.a@alpha.example").get_by_role("button")).to_have_count(0)

    row.get_by_role("button", name="Reactivate Tove Alpha").click()
    expect(page.get_by_role("status")).to_contain_text("Tove Alpha can work in Alpha Clinic again.")
    assert Membership.objects.get(user=personas.therapist_a2, organisation=personas.org_a).is_active
