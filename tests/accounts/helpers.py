"""Logging in through the real pages, step by step, for the authentication tests."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse

from iptriad.accounts.models import User
from tests.conftest import PASSWORD, totp_code, totp_device


def password_only(user: User, address: str = "192.0.2.10") -> HttpClient:
    """A client that has typed the right password on the login form, and nothing more."""
    http = HttpClient(REMOTE_ADDR=address)
    response = http.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return http


def fresh_code(user: User) -> str:
    """The app's current code; django-otp refuses a code twice, so tests that need two take them in turn."""
    device = totp_device(user)
    device.refresh_from_db()
    return totp_code(device)
