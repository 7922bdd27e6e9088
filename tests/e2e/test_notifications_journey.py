"""An administrator sets the notification settings (a bad value is refused on the page) and reads the log."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from iptriad.notifications.settings import notification_settings_for
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn
from tests.notifications.helpers import queue_client_message


def test_an_administrator_changes_the_notification_settings_and_reads_the_message_log(
    page: Page, personas: Personas, log_in: LogIn
) -> None:
    queue_client_message(personas, address="")  # a failed message for the log
    log_in(page, personas.admin_a.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Notifications").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications of Alpha Clinic")

    page.get_by_label("Tell supervisors after (minutes)").fill("3")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Ensure this value is greater than or equal to 5.", exact=True)).to_be_visible()
    assert notification_settings_for(personas.org_a).alert_escalation_minutes == 240

    page.get_by_label("Tell supervisors after (minutes)").fill("30")
    page.get_by_label("Quiet hours start").fill("22:00")
    page.get_by_label("Reminders").fill("2")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Notification settings saved.")
    saved = notification_settings_for(personas.org_a)
    assert (saved.alert_escalation_minutes, str(saved.quiet_hours_start), saved.reminder_count) == (30, "22:00:00", 2)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Messages").click()
    row = page.get_by_role("row").filter(has_text="Questionnaire link")
    expect(row).to_contain_text("client A-0001")
    expect(row).to_contain_text("Failed")
    expect(row).to_contain_text("No address to send to")
