"""A therapist changes their e-mail address: the same answer for a taken address, the change only by the link.

Issue 16, item 8: the page once said whether an address had an account anywhere. Now it answers the same either
way, and the address changes only when the link mailed to the new address is opened (and confirmed).
"""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Page, expect

from iptriad.accounts.models import User
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn

NEW_EMAIL = "casey.new@example.org"


def _ask_for(page: Page, email: str) -> str:
    page.goto("/account/")
    page.get_by_role("link", name="Change e-mail").click()
    expect(page.get_by_role("heading", name="Change your e-mail address")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Send the link").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text(f"We sent a link to {email}")
    return status.inner_text().replace(email, "ADDRESS")


def test_an_email_change_answers_the_same_either_way_and_happens_only_by_the_link(
    page: Page, personas: Personas, log_in: LogIn, mailoutbox: list[mail.EmailMessage]
) -> None:
    therapist = personas.therapist_a
    old_email = therapist.email
    log_in(page, old_email, PASSWORD)

    # An address that already has an account (another member's): the page says just what it says for a new one.
    taken = personas.therapist_b.email
    answer_for_taken = _ask_for(page, taken)
    answer_for_new = _ask_for(page, NEW_EMAIL)
    assert answer_for_taken == answer_for_new
    # Only the mail tells: the taken address's owner is told someone asked; no link is in it.
    taken_mail, new_mail = mailoutbox
    assert taken_mail.to == [taken]
    assert "/account/email/confirm/" not in str(taken_mail.body)
    assert User.objects.get(pk=therapist.pk).email == old_email  # nothing changed by asking

    assert new_mail.to == [NEW_EMAIL]
    [link] = re.findall(r"https?://\S+/account/email/confirm/\?token=\S+", str(new_mail.body))
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your new e-mail address")).to_be_visible()
    expect(page.get_by_text(f"From now on you will log in with {NEW_EMAIL}")).to_be_visible()
    assert User.objects.get(pk=therapist.pk).email == old_email  # opening the link only shows the button
    page.get_by_role("button", name="Use this address").click()
    expect(page.get_by_role("status")).to_contain_text("Your e-mail address has been changed")
    expect(page.get_by_text(f"E-mail: {NEW_EMAIL}")).to_be_visible()
    assert User.objects.get(pk=therapist.pk).email == NEW_EMAIL

    # The link is spent; the person logs in with the new address from now on.
    page.goto(link)
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    log_in(page, NEW_EMAIL, PASSWORD)
    expect(page.get_by_role("link", name="Casey Alphason")).to_be_visible()
