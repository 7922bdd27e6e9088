"""Issue 14's dashboard in a real browser: a supervisor opens the outcomes from the home page, changes the period and
the breakdown, reads the figures and a chart, and downloads the aggregates CSV and the PDF report, which are read back.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn
from tests.e2e.test_phone_width import PHONE, assert_no_horizontal_scroll
from tests.outcomes.builders import outcome_row


def test_a_supervisor_chooses_a_period_and_a_breakdown_and_downloads_the_csv_and_the_pdf(
    page: Page, personas: Personas, log_in: LogIn
) -> None:
    today = timezone.localdate()
    last_month = today - dt.timedelta(days=30)
    two_years_ago = today - dt.timedelta(days=730)
    for _ in range(6):
        outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 4), ended_on=last_month)
    outcome_row(personas.org_a, therapist=personas.therapist_a2, phq9=(12, 18), ended_on=last_month)
    for _ in range(5):  # outside the last twelve months
        outcome_row(personas.org_a, therapist=personas.therapist_a2, phq9=(15, 14), ended_on=two_years_ago)

    log_in(page, personas.supervisor_a.email, PASSWORD)
    page.get_by_role("main").get_by_role("link", name="Outcomes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes of Alpha Clinic")
    rates = page.get_by_role("region", name="Headline figures")
    recovery = rates.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Recovery rate"))
    expect(recovery).to_contain_text("85.7%")
    expect(recovery).to_contain_text("6 of 7")
    recovery.get_by_text("Formula and source").click()
    expect(recovery).to_contain_text("recovered / (finished - not at caseness at the start)")
    expect(page.get_by_role("region", name="Data quality")).to_contain_text("fewer than 5")

    # The whole record, by therapist: the older courses count too, and each therapist gets a row and a bar.
    page.get_by_label("From").fill((two_years_ago - dt.timedelta(days=1)).isoformat())
    page.get_by_label("Break down by").select_option(label="Therapist")
    page.get_by_role("button", name="Show").click()
    expect(recovery).to_contain_text("6 of 12")
    breakdown = page.get_by_role("region", name="By therapist")
    expect(breakdown.get_by_role("row", name=re.compile("^Tara Alpha"))).to_contain_text("100.0%")
    expect(breakdown.get_by_role("row", name=re.compile("^Tove Alpha"))).to_contain_text("not shown")
    chart = page.get_by_role("img", name="Recovery rate by therapist")
    expect(chart).to_contain_text("Tara Alpha")
    expect(chart).to_contain_text("100.0%")

    with page.expect_download() as download:
        page.get_by_role("link", name="the figures (CSV)").click()
    assert download.value.suggested_filename.startswith("iptriad-outcomes-alpha-")
    lines = list(csv.DictReader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
    assert [line["label"] for line in lines] == ["Everyone", "Tara Alpha", "Tove Alpha"]
    assert (lines[0]["contexts"], lines[0]["recovered"], lines[2]["finished"]) == ("12", "6", "6")

    with page.expect_download() as download:
        page.get_by_role("link", name="the report (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    reader = PdfReader(download.value.path())
    text = " ".join(" ".join(page_.extract_text() for page_ in reader.pages).split())
    assert "Organisations: Alpha Clinic" in text
    assert "Recovery rate 50.0% 6 of 12" in text
    assert "Recovery rate by therapist" in text

    page.set_viewport_size(PHONE)
    assert_no_horizontal_scroll(page)
