"""`next` (the login page's, and the MFA step's and re-authentication's it is handed on to) cannot send a member
off-site or run script, and is shown only escaped."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client as HttpClient

from tests.conftest import PASSWORD, logged_in, totp_code, totp_device
from tests.security.pages import inspect_html

pytestmark = pytest.mark.django_db

HOSTILE_NEXT = (
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    '"><script>alert(1)</script>',
)


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site(personas, target: str):
    device = totp_device(personas.therapist_a)
    http = HttpClient()
    page = http.get("/login/", {"next": target})
    assert page.status_code == 200
    assert not inspect_html(page.content.decode()).problems
    response = http.post(
        "/login/?" + urlencode({"next": target}), {"username": personas.therapist_a.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert_on_site(response["Location"])
    # The password-only session is sent to the MFA step with `next`: the code must not lead off-site either.
    step = http.get("/mfa/verify/", {"next": target})
    assert step.status_code == 200
    assert not inspect_html(step.content.decode()).problems
    verified = http.post("/mfa/verify/?" + urlencode({"next": target}), {"code": totp_code(device)})
    assert verified.status_code == 302
    assert_on_site(verified["Location"])


def assert_on_site(location: str) -> None:
    # Home, or a path on this site (a browser resolves it against the page); never another host or a script.
    assert not urlsplit(location).scheme, location
    assert not urlsplit(location).netloc, location
    assert not location.startswith(("//", "/\\", "\\")), location


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_verified_session_on_the_mfa_step_never_goes_off_site(personas, target: str):
    response = logged_in(personas.therapist_a).get("/mfa/verify/", {"next": target})
    assert response.status_code == 302
    assert_on_site(response["Location"])


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_re_authentication_never_redirects_off_site(personas, target: str):
    http = logged_in(personas.therapist_a)
    page = http.get("/account/confirm/", {"next": target})
    assert page.status_code == 200
    assert not inspect_html(page.content.decode()).problems
    code = totp_code(totp_device(personas.therapist_a))
    response = http.post("/account/confirm/?" + urlencode({"next": target}), {"password": PASSWORD, "code": code})
    assert response.status_code == 302
    assert_on_site(response["Location"])
