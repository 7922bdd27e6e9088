"""A therapist records a client's consent to messages on a phone, and the client stops the messages from the link
in a message, on a phone: both pages fit the screen."""

from __future__ import annotations

import time_machine
from playwright.sync_api import Page, expect

from iptriad.clients.models import Client
from iptriad.notifications.links import scheduled_links_run
from iptriad.notifications.models import Message, MessageState, ScheduledLink
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn
from tests.e2e.test_phone_width import PHONE, assert_no_horizontal_scroll
from tests.notifications.links_helpers import course_planned, utc


def test_consent_to_messages_then_the_client_stops_them_from_a_phone(
    page: Page, personas: Personas, log_in: LogIn, live_server: object
) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, personas.therapist_a.email, PASSWORD)
    client = personas.client_a
    page.goto(f"/clients/{client.pk}/edit/")
    page.get_by_label("Messages (self-report links and reminders) by").select_option(label="E-mail")
    page.get_by_role("checkbox", name="Consent to receive messages").check()
    page.get_by_label("Date consent to messages was given").fill("2026-11-30")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="Save changes").click()
    # No e-mail address yet: the form says what to fix, beside the field.
    expect(page.get_by_role("alert")).to_contain_text("Enter the client's e-mail address to send messages by e-mail.")
    assert_no_horizontal_scroll(page)
    page.get_by_label("E-mail").fill("casey@example.org")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("By e-mail, consent given 30 Nov 2026 (recorded by Tara Alpha)")).to_be_visible()
    assert_no_horizontal_scroll(page)

    # The schedule sends the links before the next session (the messages go in the job's transaction).
    client.refresh_from_db()
    course_planned(client, personas, utc(2030, 1, 11, 14, 0))
    with time_machine.travel(utc(2030, 1, 9, 10, 0), tick=False):
        scheduled_links_run()
    row = ScheduledLink.objects.filter(client=client).earliest("pk")

    # The client, on a phone, opens the stop link from the message.
    phone = page.context.browser.new_context(viewport=PHONE)  # type: ignore[union-attr]
    client_page = phone.new_page()
    client_page.goto(f"{live_server.url}/m/{row.stop_token}/stop/")  # type: ignore[attr-defined]
    expect(client_page.get_by_role("heading", name="Stop these messages?")).to_be_visible()
    assert_no_horizontal_scroll(client_page)
    client_page.get_by_role("button", name="Yes, stop the messages").click()
    expect(client_page.get_by_role("heading", name="You will get no more messages")).to_be_visible()
    expect(client_page.get_by_text("ask your therapist")).to_be_visible()
    assert_no_horizontal_scroll(client_page)
    phone.close()

    client = Client.objects.get(pk=client.pk)
    assert client.messages_opted_out_at is not None
    assert not Message.objects.filter(to_client=client, state=MessageState.QUEUED).exists()
    page.goto(f"/clients/{client.pk}/")
    expect(page.get_by_text("Opted out")).to_be_visible()
    expect(page.get_by_role("heading", name="Messages to the client")).to_be_visible()
