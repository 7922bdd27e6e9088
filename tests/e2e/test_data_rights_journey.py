"""An administrator answers a client's data request: asks for the export with a reason, the client's therapist
approves it in their own browser, the administrator downloads it (once), then erases the client."""

from __future__ import annotations

import json
import re
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from iptriad.clients.models import Client
from tests.conftest import PASSWORD, Personas
from tests.datarights.conftest import client_history, close_alerts
from tests.e2e.conftest import LogIn


def test_an_administrator_downloads_a_clients_data_and_erases_the_client(
    page: Page, context: BrowserContext, live_server: LiveServer, personas: Personas, log_in: LogIn
) -> None:
    client = personas.client_a
    client_history(personas, client, personas.therapist_a)
    close_alerts(client, personas.therapist_a)

    log_in(page, personas.admin_a.email, PASSWORD)
    page.goto(f"/clients/{client.pk}/")
    page.get_by_role("link", name="Data rights: export or erase").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data held about Casey Alphason (A-0001)")

    page.get_by_label("Everything (JSON)").check()
    page.get_by_label("The client asked for a copy of their data").check()
    page.get_by_role("textbox", name="Case reference").fill("DSR-2026-013")
    page.get_by_role("button", name="Ask for the export").click()
    expect(page.get_by_role("status")).to_contain_text("The export is requested")
    expect(page.get_by_role("cell", name="Waiting for approval").first).to_be_visible()
    expect(page.get_by_role("link", name="Download")).to_have_count(0)

    # The client's therapist, in their own browser, finds it from their home page and approves it.
    assert context.browser is not None
    therapist = context.browser.new_context(base_url=live_server.url, locale="en-GB")
    approver = therapist.new_page()
    log_in(approver, personas.therapist_a.email, PASSWORD)
    approver.get_by_role("link", name="Exports to approve").click()
    expect(
        approver.get_by_role("cell", name="The client asked for a copy of their data (DSR-2026-013)")
    ).to_be_visible()
    approver.get_by_role("button", name="Approve the export of A-0001").click()
    expect(approver.get_by_role("status")).to_contain_text("The export is approved.")
    therapist.close()

    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    assert re.fullmatch(r"client-A-0001-\d{4}-\d{2}-\d{2}\.json", download.value.suggested_filename)
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert document["client"]["family_name"] == "Alphason"
    page.reload()
    expect(page.get_by_role("link", name="Download")).to_have_count(0)  # once only

    page.get_by_role("link", name="Erase this client…").click()
    page.get_by_label("Type the client's identifier to confirm").fill("A-0002")
    page.get_by_label("The client asked for their data to be erased").check()
    page.get_by_role("button", name="Erase the client for good").click()
    expect(page.get_by_role("alert").first).to_contain_text("Type the client's identifier exactly as shown")
    assert Client.objects.filter(pk=client.pk).exists()

    page.get_by_label("Type the client's identifier to confirm").fill("A-0001")
    page.get_by_label("The client asked for their data to be erased").check()
    page.get_by_role("textbox", name="Case reference").fill("DSR-2026-014")
    page.get_by_role("button", name="Erase the client for good").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clients")
    expect(page.get_by_role("status")).to_contain_text(f"Client {client.pk} was erased")
    expect(page.get_by_text("Alphason")).to_have_count(0)
    assert not Client.objects.filter(pk=client.pk).exists()
