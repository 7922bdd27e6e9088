"""The permission matrix: every URL pattern x every role x own / other organisation, plus anonymous.

The table below is the specification. `test_every_url_pattern_is_in_the_matrix` fails when a URL pattern is
added without a row here, so no page can ship without its access rules being stated and tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from iptriad.accounts.models import Role
from tests.conftest import Personas, logged_in

pytestmark = pytest.mark.django_db

ROLES = tuple(Role)
OWN, OTHER = "own", "other"


@dataclass(frozen=True)
class Row:
    """What each role gets from one URL. `object_url` rows address a client of the own or other organisation."""

    method: str
    expected: dict[Role, int]
    object_url: bool = False
    anonymous: int = 302  # to the login page
    form: dict[str, str] = field(default_factory=dict)


EVERYONE_OK = dict.fromkeys(ROLES, 200)
CLINICAL = {Role.ADMIN: 200, Role.SUPERVISOR: 200, Role.THERAPIST: 200, Role.FACILITATOR: 403}
# Facilitators get 404 on a client object: to them client records do not exist.
CLINICAL_OBJECT = {Role.ADMIN: 200, Role.SUPERVISOR: 200, Role.THERAPIST: 200, Role.FACILITATOR: 404}
CLINICAL_OBJECT_ACTION = {Role.ADMIN: 302, Role.SUPERVISOR: 302, Role.THERAPIST: 302, Role.FACILITATOR: 404}

MATRIX: dict[str, Row] = {
    "home": Row("get", EVERYONE_OK),
    "health": Row("get", EVERYONE_OK, anonymous=200),
    "login": Row("get", dict.fromkeys(ROLES, 302), anonymous=200),  # members are sent on to the home page
    "logout": Row("post", dict.fromkeys(ROLES, 302)),
    "organisation-switch": Row("post", dict.fromkeys(ROLES, 302), form={"organisation": "{org_b}"}),
    "client-list": Row("get", CLINICAL),
    "client-create": Row("get", CLINICAL),
    "client-detail": Row("get", CLINICAL_OBJECT, object_url=True),
    "client-edit": Row("get", CLINICAL_OBJECT, object_url=True),
    "client-archive": Row("post", CLINICAL_OBJECT_ACTION, object_url=True),
    "client-reactivate": Row("post", CLINICAL_OBJECT_ACTION, object_url=True),
    "audit-list": Row("get", {Role.ADMIN: 200, Role.SUPERVISOR: 403, Role.THERAPIST: 403, Role.FACILITATOR: 403}),
}


def _url_names(resolver: URLResolver, prefix: str = "") -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name, so the matrix cannot cover it"
            yield pattern.name


def test_every_url_pattern_is_in_the_matrix():
    assert set(_url_names(get_resolver())) == set(MATRIX)


def _request(http, personas: Personas, name: str, row: Row, side: str):
    client = personas.client_a if side == OWN else personas.client_b
    url = reverse(name, args=[client.pk]) if row.object_url else reverse(name)
    form = {key: value.format(org_b=personas.org_b.pk) for key, value in row.form.items()}
    return http.get(url) if row.method == "get" else http.post(url, form)


@pytest.mark.parametrize("side", [OWN, OTHER])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(personas, name: str, role: Role, side: str):
    row = MATRIX[name]
    response = _request(logged_in(personas.member_of_a(role)), personas, name, row, side)
    if side == OTHER and row.object_url:
        # Another organisation's object is indistinguishable from a missing one, for every role.
        assert response.status_code == 404
        return
    assert response.status_code == row.expected[role]
    if response.status_code == 200:
        # Nothing of organisation B ever shows to a member of organisation A.
        assert personas.client_b.family_name.encode() not in response.content
        assert personas.client_b.identifier.encode() not in response.content


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix_anonymous(personas, name: str):
    from django.test import Client as HttpClient

    row = MATRIX[name]
    response = _request(HttpClient(), personas, name, row, OWN)
    assert response.status_code == row.anonymous
    if row.anonymous == 302:
        assert response["Location"].startswith(reverse("login"))


def test_a_therapist_of_another_organisation_gets_404_on_every_object_url(personas):
    http = logged_in(personas.therapist_b)
    for name, row in MATRIX.items():
        if row.object_url:
            assert _request(http, personas, name, row, OWN).status_code == 404, name
