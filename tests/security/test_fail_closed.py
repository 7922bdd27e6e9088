"""Errors fail closed: a crash shows the generic 500 page, and a failing permission check denies.

An exception in a view (or in the API) answers the plain 500 page: no stack trace, no exception text, no settings,
with the usual security headers and no-store. When a policy or the actor lookup itself raises, the request ends in
that 500: never in a page or an API answer that shows the data the check was guarding.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client as HttpClient

from iptriad.accounts.actors import Actor
from iptriad.clients import views as client_views
from iptriad.clients.permissions import client_policy
from tests.conftest import Personas, logged_in
from tests.security.test_headers_everywhere import assert_secure_headers

pytestmark = pytest.mark.django_db

MARKER = "boom-7f3a-internal-detail"


def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError(MARKER)


def _crashing_client(user: Any) -> HttpClient:
    http = logged_in(user)
    http.raise_request_exception = False
    return http


def assert_generic_500(response: Any, personas: Personas, where: str) -> None:
    assert response.status_code == 500, where
    body = response.content.decode()
    for leak in (MARKER, "Traceback", "RuntimeError", settings.SECRET_KEY, "DATABASES", personas.client_a.family_name):
        assert leak not in body, (where, leak)
    assert_secure_headers(response, where, client_data=True)


def test_a_crash_in_a_page_shows_the_generic_error_page(personas, monkeypatch):
    monkeypatch.setattr(client_views, "client_list", _boom)
    response = _crashing_client(personas.therapist_a).get("/clients/")
    assert_generic_500(response, personas, "page")
    assert "Something went wrong" in response.content.decode()


def test_a_crash_in_the_api_shows_no_detail(personas, monkeypatch):
    monkeypatch.setattr("iptriad.api.clients.client_list", _boom)
    response = _crashing_client(personas.therapist_a).get("/api/v1/clients")
    assert_generic_500(response, personas, "api")


@pytest.mark.parametrize(
    ("target", "url"),
    [
        ("allows", "/clients/"),
        ("scope", "/clients/{client}/"),
        ("scope", "/clients/{client}/edit/"),
        ("allows", "/api/v1/clients"),
        ("scope", "/api/v1/clients/{client}"),
    ],
)
def test_a_permission_check_that_raises_denies(personas, monkeypatch, target: str, url: str):
    monkeypatch.setattr(client_policy, target, _boom)
    response = _crashing_client(personas.admin_a).get(url.format(client=personas.client_a.pk))
    assert_generic_500(response, personas, f"{target} {url}")


def test_a_failing_actor_lookup_denies(personas, monkeypatch):
    monkeypatch.setattr(Actor, "for_membership", _boom)  # how pages and the API both build the acting member
    http = _crashing_client(personas.admin_a)
    for url in (
        "/clients/",
        f"/clients/{personas.client_a.pk}/",
        "/api/v1/clients",
        f"/api/v1/clients/{personas.client_a.pk}",
    ):
        assert_generic_500(http.get(url), personas, url)
