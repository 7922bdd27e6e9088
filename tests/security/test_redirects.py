"""The login page's `next` cannot send a member off-site or run script, and is shown only escaped."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client as HttpClient

from tests.conftest import PASSWORD
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
    http = HttpClient()
    page = http.get("/login/", {"next": target})
    assert page.status_code == 200
    assert not inspect_html(page.content.decode()).problems
    response = http.post(
        "/login/?" + urlencode({"next": target}), {"username": personas.therapist_a.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    location = response["Location"]
    # Home, or a path on this site (a browser resolves it against /login/); never another host or a script.
    assert not urlsplit(location).scheme, location
    assert not urlsplit(location).netloc, location
    assert not location.startswith(("//", "/\\", "\\")), location
