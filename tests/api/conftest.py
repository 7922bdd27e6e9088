"""HTTP helpers for the API tests: a client that sends a personal token, or the logged-in session."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Organisation, User
from iptriad.api.services import api_token_create
from tests.conftest import Personas, logged_in

BASE = "/api/v1"


class Api:
    """Requests to /api/v1 with JSON bodies, as one member (by token or session) or as nobody."""

    def __init__(self, http: HttpClient, token: str | None = None) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, query: dict[str, Any] | None = None, **headers: str) -> Any:
        return self.http.get(BASE + path, query or {}, headers={**self.headers, **headers})

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.send("post", path, body, **headers)

    def patch(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.send("patch", path, body, **headers)

    def put(self, path: str, body: Any = None, **headers: str) -> Any:
        return self.send("put", path, body, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self.send("delete", path, None, **headers)

    def send(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        return getattr(self.http, method)(
            BASE + path,
            body if body is not None else {},
            content_type="application/json",
            headers={**self.headers, **headers},
        )


def token_for(user: User, organisation: Organisation, *, days: int = 30, name: str = "tests") -> str:
    _, token = api_token_create(actor=Actor.operator(organisation), user=user, name=name, days=days)
    return token


def api_as(user: User, organisation: Organisation) -> Api:
    return Api(HttpClient(), token_for(user, organisation))


def session_api(user: User, organisation: Organisation | None = None) -> Api:
    return Api(logged_in(user, organisation))


@pytest.fixture
def therapist_api(personas: Personas) -> Api:
    return api_as(personas.therapist_a, personas.org_a)


@pytest.fixture
def supervisor_api(personas: Personas) -> Api:
    return api_as(personas.supervisor_a, personas.org_a)


def fields(response: Any) -> dict[str | None, list[str]]:
    """The error answer's messages by field."""
    found: dict[str | None, list[str]] = {}
    for error in response.json()["detail"]:
        found.setdefault(error["field"], []).append(error["message"])
    return found
