"""A therapist who forgot their password asks for a link, follows it from the e-mail, and logs in with the code."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Page, expect

from iptriad.accounts.models import User
from tests.conftest import PASSWORD, Personas
from tests.e2e.conftest import LogIn

NEW_PASSWORD = "amber-kettle-orbit-lantern"


def test_a_forgotten_password_is_reset_by_the_emailed_link(
    page: Page, personas: Personas, log_in: LogIn, mailoutbox: list[mail.EmailMessage]
) -> None:
    email = personas.therapist_a.email
    page.goto("/login/")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", name="Forgotten your password?")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text(f"If an account uses {email}, we have sent it a link")
    expect(page.get_by_role("heading", name="Log in to iptriad")).to_be_visible()

    # The worker (run at once under the tests) mailed the link; the test reads it as the person would.
    [sent] = mailoutbox
    assert sent.to == [email]
    [link] = re.findall(r"https?://\S+/login/reset/\?token=\S+", str(sent.body))
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("passwordpassword")
    page.get_by_label("New password confirmation").fill("passwordpassword")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#id_new_password2_error")).to_contain_text("too easy to guess")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password has been changed")
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)  # not logged in by the link
    assert User.objects.get(pk=personas.therapist_a.pk).check_password(NEW_PASSWORD)

    # The link is spent.
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("has been used already")

    # The old password no longer works; the new one, then the authenticator code (which log_in asks for).
    page.goto("/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("do not match an account")).to_be_visible()
    log_in(page, email, NEW_PASSWORD)
    expect(page.get_by_role("link", name="Casey Alphason")).to_be_visible()
