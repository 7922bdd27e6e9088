"""The permission matrix: every URL pattern x every role x own / other organisation, plus anonymous.

The rows in tests/security/matrix_rows/ are the specification. `test_every_url_pattern_is_in_the_matrix` fails
when a URL pattern is added without a row, so no page can ship without its access rules stated and tested.
The reads' answers come from the crawl the security suites share (tests/security/crawl.py); the actions are sent
here, each in its own test's transaction.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from iptriad.accounts.models import Role
from tests.conftest import Personas, logged_in
from tests.security.crawl import OTHER, OWN, Crawl
from tests.security.matrix_rows import ROWS
from tests.security.matrix_rows.api import ApiRow
from tests.security.matrix_rows.base import MatrixObjects, Row, T
from tests.security.pages import PLACEHOLDERS_ON_BRANCH  # gsetup branch only

pytestmark = pytest.mark.django_db


def _url_names(resolver: URLResolver) -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name, so the matrix cannot cover it"
            yield pattern.name


def test_every_url_pattern_is_in_the_matrix():
    assert set(_url_names(get_resolver())) - PLACEHOLDERS_ON_BRANCH == set(ROWS) - PLACEHOLDERS_ON_BRANCH


def _request(http: HttpClient, personas: Personas, objects: MatrixObjects, name: str, row: Row, side: str):
    if row.target:
        url = reverse(name, args=[objects.target(row.target, side == OWN, personas)]) + row.query
    else:
        url = reverse(name) + row.query
    if isinstance(row, ApiRow) and row.method != "get":
        return getattr(http, row.method)(url, row.json, content_type="application/json")
    form = {key: value.format(org_b=personas.org_b.pk) for key, value in row.form.items()}
    return http.get(url) if row.method == "get" else http.post(url, form)


@pytest.mark.parametrize("side", [OWN, OTHER])
@pytest.mark.parametrize("role", tuple(Role))
@pytest.mark.parametrize("name", sorted(ROWS))
def test_matrix(personas, objects, crawl: Crawl, name: str, role: Role, side: str):
    row = ROWS[name]
    if row.method == "get":
        response = crawl.answer(name, role, side if row.target else OWN)
    else:
        response = _request(logged_in(personas.member_of_a(role)), personas, objects, name, row, side)
    if side == OTHER and row.target and not row.public:
        # Another organisation's object is indistinguishable from a missing one, for every role.
        assert response.status_code == 404
        return
    assert response.status_code == row.expected[role]
    if response.status_code == 200 and not row.public:
        # Nothing of organisation B ever shows to a member of organisation A.
        assert personas.client_b.family_name.encode() not in response.content
        assert personas.client_b.identifier.encode() not in response.content


@pytest.mark.parametrize("name", sorted(ROWS))
def test_matrix_anonymous(personas, objects, crawl: Crawl, name: str):
    row = ROWS[name]
    if row.method == "get":
        response = crawl.answer(name, None)
    else:
        response = _request(HttpClient(), personas, objects, name, row, OWN)
    assert response.status_code == row.anonymous
    if row.anonymous == 302:
        assert response["Location"].startswith(reverse("login"))


def test_a_therapist_of_another_organisation_gets_404_on_every_object_url(personas, objects):
    http = logged_in(personas.therapist_b)
    for name, row in ROWS.items():
        if row.target and not row.public:
            assert _request(http, personas, objects, name, row, OWN).status_code == 404, name


def test_a_therapist_gets_404_on_a_colleagues_clinical_objects(personas, objects):
    http = logged_in(personas.therapist_a2)
    for name, row in ROWS.items():
        if row.target and not row.public and row.expected[T] != 404 and row.target != "client":
            assert _request(http, personas, objects, name, row, OWN).status_code == 404, name
