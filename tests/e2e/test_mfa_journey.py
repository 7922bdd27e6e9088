"""A therapist sets up an authenticator app through the real pages, then logs in again with a recovery code."""

from __future__ import annotations

import base64
import re

from django_otp.oath import totp  # type: ignore[import-untyped]
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, Personas


def _code_from_secret(secret: str) -> str:
    """What the phone shows after the secret is typed in: base32, without the spaces and padding."""
    compact = secret.replace(" ", "")
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    return f"{totp(key):06d}"


def test_a_therapist_enrols_verifies_and_later_uses_a_recovery_code(page: Page, personas: Personas) -> None:
    page.goto("/login/")
    page.get_by_label("E-mail").fill(personas.therapist_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # The organisation requires MFA and the therapist has none yet: straight to the set-up.
    expect(page).to_have_url(re.compile(r"/mfa/enrol/"))
    expect(page.get_by_role("heading", name="Set up an authenticator app")).to_be_visible()
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    # The SVG loads and decodes under the strict CSP (decode() waits for the load, and fails if it is refused).
    assert qr.evaluate("image => image.decode().then(() => image.naturalWidth)") > 0
    secret = page.locator("code.secret").inner_text()
    # Nothing of the organisation yet: the client list sends the therapist back here.
    page.goto("/clients/")
    expect(page).to_have_url(re.compile(r"/mfa/enrol/"))
    secret = page.locator("code.secret").inner_text()  # the same set-up is kept across reloads

    page.get_by_label("Code from the app").fill(_code_from_secret(secret))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    codes = page.locator("ul.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept my codes, continue").click()
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    expect(page.get_by_text("Alphason")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    page.get_by_label("E-mail").fill(personas.therapist_a.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Enter your authenticator code")).to_be_visible()
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("You used a recovery code; 9 left.")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
