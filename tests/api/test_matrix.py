"""The API's permission matrix: every operation x every role x own / other organisation, by token and by session.

The rows are tests/security/matrix_rows/api.py (shared with the permission matrix of the pages); the guard below
fails when an operation is added to the API without a row, so no endpoint ships without its access rules.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, reverse

from iptriad.accounts.models import Role
from iptriad.api.urls import api, urlpatterns
from tests.api.conftest import token_for
from tests.conftest import Personas, logged_in
from tests.security.matrix_rows.api import ROWS, ApiRow
from tests.security.matrix_rows.base import MatrixObjects, T

pytestmark = pytest.mark.django_db

OWN, OTHER = "own", "other"


def _url(personas: Personas, objects: MatrixObjects, name: str, row: ApiRow, side: str) -> str:
    if row.target:
        return reverse(name, args=[objects.target(row.target, side == OWN, personas)]) + row.query
    return reverse(name) + row.query


def _send(http: HttpClient, url: str, row: ApiRow, headers: dict[str, str]) -> Any:
    if row.method == "get":
        return http.get(url, headers=headers)
    return getattr(http, row.method)(url, row.json, content_type="application/json", headers=headers)


def _caller(personas: Personas, role: Role, auth: str) -> tuple[HttpClient, dict[str, str]]:
    user = personas.member_of_a(role)
    if auth == "token":
        return HttpClient(), {"Authorization": f"Bearer {token_for(user, personas.org_a)}"}
    return logged_in(user), {}


def test_every_operation_has_a_row():
    names = [pattern.name for pattern in urlpatterns if isinstance(pattern, URLPattern)]
    assert len(names) == len(set(names)), "two API operations share a URL name"
    assert set(names) == set(ROWS)
    # Every operation of the OpenAPI document is one URL name (the document itself and the root are not operations).
    schema = api.get_openapi_schema()
    operations = [method for path in schema["paths"].values() for method in path]
    assert len(operations) == len(names) - 2


@pytest.mark.parametrize("auth", ["token", "session"])
@pytest.mark.parametrize("role", tuple(Role))
@pytest.mark.parametrize("name", sorted(ROWS))
def test_matrix(personas, objects, name: str, role: Role, auth: str):
    row = ROWS[name]
    assert isinstance(row, ApiRow)
    http, headers = _caller(personas, role, auth)
    response = _send(http, _url(personas, objects, name, row, OWN), row, headers)
    assert response.status_code == row.expected[role], response.content
    if not row.public:
        # Nothing of organisation B ever shows to a member of organisation A.
        assert personas.client_b.family_name.encode() not in response.content
        assert personas.client_b.identifier.encode() not in response.content
    if row.target and not row.public:
        # Another organisation's object is indistinguishable from a missing one, for every role.
        other = _send(http, _url(personas, objects, name, row, OTHER), row, headers)
        assert other.status_code == 404, other.content
        assert other.json() == {"detail": [{"field": None, "message": "Not found."}]}


@pytest.mark.parametrize("name", sorted(ROWS))
def test_matrix_anonymous(personas, objects, name: str):
    row = ROWS[name]
    assert isinstance(row, ApiRow)
    response = _send(HttpClient(), _url(personas, objects, name, row, OWN), row, {})
    assert response.status_code == row.anonymous
    if row.anonymous == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_therapist_of_another_organisation_gets_404_on_every_object(personas, objects):
    headers = {"Authorization": f"Bearer {token_for(personas.therapist_b, personas.org_b)}"}
    for name, row in ROWS.items():
        if row.target and not row.public:
            assert isinstance(row, ApiRow)
            assert _send(HttpClient(), _url(personas, objects, name, row, OWN), row, headers).status_code == 404, name


def test_a_therapist_gets_404_on_a_colleagues_clients_and_their_records(personas, objects):
    headers = {"Authorization": f"Bearer {token_for(personas.therapist_a2, personas.org_a)}"}
    for name, row in ROWS.items():
        if row.target and not row.public and row.expected[T] != 404:
            assert isinstance(row, ApiRow)
            assert _send(HttpClient(), _url(personas, objects, name, row, OWN), row, headers).status_code == 404, name
