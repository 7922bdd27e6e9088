"""A path under /api/v1 that names no operation answers the API's JSON 404, never the site's HTML page: an unknown
path, an id that is not a number, the root. Found by fuzzing (tests/security/test_api_schemathesis.py)."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient

from tests.api.conftest import token_for
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": [{"field": None, "message": "Not found."}]}
PATHS = ["/api/v1/", "/api/v1/nothing-here", "/api/v1/clients/abc", "/api/v1/clients/-1/archive", "/api/v1/clients/1.5"]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_it_answers_a_json_404_by_token(personas, path: str, method: str):
    headers = {"Authorization": f"Bearer {token_for(personas.therapist_a, personas.org_a)}"}
    response = getattr(HttpClient(), method)(path, {}, content_type="application/json", headers=headers)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == NOT_FOUND
    assert "no-store" in response["Cache-Control"]


def test_it_answers_a_json_404_to_anyone_and_to_a_session_without_a_csrf_token(personas):
    http = logged_in(personas.therapist_a)
    http_csrf = logged_in(personas.therapist_a, enforce_csrf_checks=True)  # past MFA: only CSRF is missing
    for client in (HttpClient(), http, http_csrf):
        response = client.post("/api/v1/clients/abc/archive")
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
