"""Production settings, as the server answers with them (IPTRIAD_ENV=production, over HTTPS).

A subprocess reads the settings iptriad.settings gives under the production variables (so nothing here restates
them); the test then runs with exactly those and logs a member in through the real login form: the answers carry
HSTS for a year with subdomains, the session and CSRF cookies are Secure, HttpOnly and SameSite=Lax, plain HTTP is
sent on to HTTPS (except /health/, for load balancers, and the API, which refuses it), and an error shows no debug page.
`iptriad check --deploy --fail-level WARNING` under the same variables is tests/test_settings.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.test import override_settings

from tests.conftest import PASSWORD, totp_code, totp_device
from tests.test_settings import PRODUCTION, run_iptriad

pytestmark = pytest.mark.django_db

SECURITY_SETTINGS = (
    "DEBUG",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
)
READ_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup(); "
    f"print(json.dumps({{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}))"
)


def production_settings(tmp_path: Path) -> dict[str, Any]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IPTRIAD_")}
    environment.update(PRODUCTION)
    environment.update({"IPTRIAD_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "iptriad.settings"})
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", READ_SETTINGS], capture_output=True, text=True, env=environment, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(json.loads(result.stdout))


def _flags(response: Any, name: str) -> dict[str, object]:
    morsel = response.cookies[name]
    # A __Host- cookie is only accepted by browsers when Secure, with Path=/ and no Domain.
    assert (morsel["path"], morsel["domain"]) == ("/", ""), name
    return {"secure": morsel["secure"], "httponly": morsel["httponly"], "samesite": morsel["samesite"]}


def test_production_answers_with_hsts_and_locked_down_cookies(tmp_path, personas):
    settings = production_settings(tmp_path)
    assert settings["DEBUG"] is False
    host = PRODUCTION["IPTRIAD_ALLOWED_HOSTS"]
    device = totp_device(personas.admin_a)
    with override_settings(**settings, ALLOWED_HOSTS=[host]):
        https = HttpClient(HTTP_HOST=host)
        login_page = https.get("/login/", secure=True)
        login = https.post("/login/", {"username": personas.admin_a.email, "password": PASSWORD}, secure=True)
        # An admin's login goes on through the authenticator code, which starts a new session (a new cookie).
        verified = https.post("/mfa/verify/", {"code": totp_code(device)}, secure=True)
        home = https.get("/", secure=True)
        plain = HttpClient(HTTP_HOST=host)
        plain_home = plain.get("/")
        plain_health = plain.get("/health/")
        plain_api = plain.get("/api/v1/clients", HTTP_AUTHORIZATION="Bearer not-a-token")
        missing = https.get("/no-such-page/", secure=True)
        logout = https.post("/logout/", secure=True)  # leaves "You have logged out." for the next page
        after = https.get("/login/", secure=True)

    assert (login_page.status_code, login.status_code, verified.status_code, home.status_code) == (200, 302, 302, 200)
    hsts = [part.strip() for part in home["Strict-Transport-Security"].split(";")]
    assert int(hsts[0].removeprefix("max-age=")) >= 31_536_000
    assert "includeSubDomains" in hsts
    assert _flags(login, "__Host-sessionid") == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert _flags(verified, "__Host-sessionid") == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert _flags(login_page, "__Host-csrftoken") == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert (plain_home.status_code, plain_home["Location"]) == (301, f"https://{host}/")
    assert plain_health.status_code == 200
    # The API refuses plain HTTP instead of redirecting it (ASVS 4.1.2), with the reason.
    assert plain_api.status_code == 403
    assert "Location" not in plain_api
    assert "HTTPS only" in plain_api.json()["detail"]
    assert missing.status_code == 404
    assert b"Traceback" not in missing.content
    assert b"DEBUG" not in missing.content
    # Every cookie, messages included (they ride in the session), carries the __Host- prefix (ASVS 3.3.1).
    responses = (login_page, login, verified, home, missing, logout, after)
    cookies = {name for response in responses for name in response.cookies}
    assert cookies == {"__Host-sessionid", "__Host-csrftoken"}
    assert "You have logged out." in after.content.decode()
    assert logout["Clear-Site-Data"] == '"cache", "storage"'


def test_the_deployment_checks_pass_behind_a_tls_proxy_too(tmp_path):
    result = run_iptriad(
        "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path, **PRODUCTION, IPTRIAD_BEHIND_PROXY="true"
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
