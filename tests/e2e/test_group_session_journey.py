"""Issue 12's journey in a real browser at a phone's width: a facilitator runs a session of 12 members (attendance,
12 symptom checks, one with a positive self-harm answer), the supervising clinician is e-mailed at once, closes the
alert and clears the member, and the facilitator sees the member back on the roster."""

from __future__ import annotations

import os
import re

from django.core import mail
from playwright.sync_api import Page, expect

from iptriad.groups.models import GroupMember, SessionAttendance
from iptriad.measures.models import RiskAlert
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn
from tests.e2e.test_phone_width import PHONE, assert_no_horizontal_scroll
from tests.groups.factories import joined_members, make_clients, make_group

SHOTS = os.environ.get("IPTRIAD_SHOTS", "")
# PHQ-9 answers as the option labels a facilitator taps: 11 in total, item 9 "Not at all".
MODERATE = ["Several days"] * 8 + ["Not at all", "Somewhat difficult"]


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def _fill_member(page: Page, card_id: str, *, self_harm: bool) -> None:
    card = page.locator(f"#{card_id}")
    card.get_by_text("Present", exact=True).click()
    card.locator("summary", has_text="Symptom check").click()
    items = card.locator("fieldset.question").filter(has_not=page.locator(".attendance-choices"))
    answers = list(MODERATE)
    if self_harm:
        answers[8] = "Nearly every day"
    for index, answer in enumerate(answers):
        items.nth(index).get_by_text(answer, exact=True).click()


def test_a_facilitator_runs_a_session_of_twelve_and_the_clinician_clears_the_member_at_risk(
    page: Page, personas: Personas, log_in: LogIn, browser
) -> None:
    admin = personas.actor(personas.admin_a)
    group = make_group(admin, facilitator=personas.facilitator_a, supervisor=personas.therapist_a2, name="Riverside")
    members = joined_members(admin, personas.actor(personas.facilitator_a), group, make_clients(personas.org_a, 12))
    at_risk = members[5]
    mail.outbox.clear()

    page.set_viewport_size(PHONE)
    log_in(page, personas.facilitator_a.email, PASSWORD)
    page.get_by_role("link", name="Record session 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Session 1 of 8")
    expect(page.get_by_role("heading", name=re.compile("Session guide"))).to_be_visible()
    assert_no_horizontal_scroll(page)
    for member in members:
        _fill_member(page, f"member-{member.pk}", self_harm=member == at_risk)
    assert_no_horizontal_scroll(page)
    _shot(page, "group_roster_filled")
    page.get_by_role("button", name="Save session 1").click()

    expect(page.get_by_role("status")).to_contain_text("12 of 12 members attended, 12 symptom checks recorded")
    risk = page.get_by_role("region", name="Safety: what to do now")
    expect(risk).to_contain_text(at_risk.client.given_name)
    expect(risk).to_contain_text("held for clinical review")
    expect(risk.get_by_role("heading", name="Crisis contacts")).to_be_visible()
    assert_no_horizontal_scroll(page)
    _shot(page, "group_roster_saved")
    assert SessionAttendance.objects.filter(session__group=group, symptom_check__isnull=False).count() == 12
    alert = RiskAlert.objects.get(client=at_risk.client)

    # The supervising clinician is e-mailed at once, with a link to the alert and no client detail.
    told = [message for message in mail.outbox if personas.therapist_a2.email in message.to]
    assert len(told) == 1
    assert f"/alerts/{alert.pk}/" in told[0].body
    assert at_risk.client.family_name not in told[0].body

    clinician = browser.new_context(base_url=page.url.split("/groups")[0], viewport=PHONE, locale="en-GB")
    clinician_page = clinician.new_page()
    log_in(clinician_page, personas.therapist_a2.email, PASSWORD)
    clinician_page.goto(f"/alerts/{alert.pk}/")
    expect(clinician_page.get_by_role("heading", name="Group IPT: member held for clinical review")).to_be_visible()
    clinician_page.get_by_text("Moderate", exact=True).click()
    clinician_page.get_by_label("Assessment").fill("Thoughts most days, no plan or intent; her sister is with her.")
    clinician_page.get_by_text("Safety plan made or reviewed", exact=True).click()
    clinician_page.get_by_role("button", name="Close the alert").click()
    clinician_page.get_by_role("link", name="open the member in the group").click()
    clinician_page.get_by_role("link", name=re.compile("Clear the member")).click()
    clinician_page.get_by_label("What you decided").fill(
        "Safety plan made with her; she may come back to the group next week."
    )
    clinician_page.get_by_role("button", name="Clear the member").click()
    expect(clinician_page.get_by_role("status")).to_contain_text("cleared")
    assert_no_horizontal_scroll(clinician_page)
    clinician.close()
    assert not GroupMember.objects.get(pk=at_risk.pk).is_held

    page.goto(f"/groups/sessions/{group.sessions.get(number=1).pk}/")
    expect(page.get_by_role("region", name="Safety: assessed by the clinician")).to_contain_text(
        at_risk.client.given_name
    )
    page.goto(f"/groups/sessions/{group.sessions.get(number=2).pk}/")
    expect(page.locator(f"#member-{at_risk.pk}")).to_be_visible()
    expect(page.get_by_role("region", name="Held for clinical review")).to_have_count(0)
