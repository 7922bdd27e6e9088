"""The permission matrix: every URL pattern x every role x own / other organisation, plus anonymous.

The table below is the specification. `test_every_url_pattern_is_in_the_matrix` fails when a URL pattern is
added without a row here, so no page can ship without its access rules being stated and tested.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from iptriad.accounts.models import Role
from tests.conftest import Personas, logged_in
from tests.measures.factories import ClinicalObjects, clinical_objects

pytestmark = pytest.mark.django_db

ROLES = tuple(Role)
OWN, OTHER = "own", "other"
A, S, T, F = Role.ADMIN, Role.SUPERVISOR, Role.THERAPIST, Role.FACILITATOR


@dataclass(frozen=True)
class Row:
    """What each role gets from one URL.

    `target` names the object the URL addresses ("" for none): one of organisation A's for the "own" side and
    one of organisation B's for the "other" side. Every role gets 404 for another organisation's object.
    """

    method: str
    expected: dict[Role, int]
    target: str = ""
    anonymous: int = 302  # to the login page
    form: dict[str, str] = field(default_factory=dict)
    query: str = ""
    public: bool = False  # the same answer for everyone, logged in or not, own or other organisation


def statuses(admin: int, supervisor: int, therapist: int, facilitator: int) -> dict[Role, int]:
    return {A: admin, S: supervisor, T: therapist, F: facilitator}


EVERYONE_OK = statuses(200, 200, 200, 200)
CLIENT_PAGES = statuses(200, 200, 200, 403)
CLIENT_OBJECT = statuses(200, 200, 200, 404)  # to a facilitator, client records do not exist
CLIENT_ACTION = statuses(302, 302, 302, 404)
CLINICAL_OBJECT = statuses(404, 200, 200, 404)  # scores and risk: clinicians only
CLINICAL_ACTION = statuses(404, 302, 302, 404)
CLINICAL_PAGES = statuses(403, 200, 200, 403)
ADMIN_ONLY = statuses(200, 403, 403, 403)

MATRIX: dict[str, Row] = {
    "home": Row("get", EVERYONE_OK),
    "health": Row("get", EVERYONE_OK, anonymous=200),
    "login": Row("get", statuses(302, 302, 302, 302), anonymous=200),  # members are sent on to the home page
    "logout": Row("post", statuses(302, 302, 302, 302)),
    "organisation-switch": Row("post", statuses(302, 302, 302, 302), form={"organisation": "{org_b}"}),
    "organisation-settings": Row("get", ADMIN_ONLY),
    "client-list": Row("get", CLIENT_PAGES),
    "client-create": Row("get", CLIENT_PAGES),
    "client-detail": Row("get", CLIENT_OBJECT, target="client"),
    "client-edit": Row("get", CLIENT_OBJECT, target="client"),
    "client-archive": Row("post", CLIENT_ACTION, target="client"),
    "client-reactivate": Row("post", CLIENT_ACTION, target="client"),
    "audit-list": Row("get", ADMIN_ONLY),
    "measures-client": Row("get", CLINICAL_OBJECT, target="client"),
    "measures-record": Row("get", CLINICAL_OBJECT, target="client", query="?instrument=phq9"),
    "measures-link-create": Row(
        "post", CLINICAL_ACTION, target="client", form={"instrument": "phq9", "valid_days": "7"}
    ),
    "alert-raise": Row("post", CLINICAL_ACTION, target="client", form={"concern": "Said they feel hopeless."}),
    "measures-administration": Row("get", CLINICAL_OBJECT, target="administration"),
    "measures-link-sent": Row("get", CLINICAL_OBJECT, target="link"),
    "measures-link-revoke": Row("post", CLINICAL_ACTION, target="link"),
    "alert-list": Row("get", CLINICAL_PAGES),
    "alert-detail": Row("get", CLINICAL_OBJECT, target="alert"),
    "self-report": Row("get", EVERYONE_OK, target="token", anonymous=200, public=True),
}


def _url_names(resolver: URLResolver) -> Iterator[str]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _url_names(pattern)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name, so the matrix cannot cover it"
            yield pattern.name


def test_every_url_pattern_is_in_the_matrix():
    assert set(_url_names(get_resolver())) == set(MATRIX)


def _url(personas: Personas, objects: ClinicalObjects, name: str, row: Row, side: str) -> str:
    own = side == OWN
    targets = {
        "client": personas.client_a if own else personas.client_b,
        "administration": objects.administration_a if own else objects.administration_b,
        "link": objects.link_a if own else objects.link_b,
        "alert": objects.alert_a if own else objects.alert_b,
    }
    if not row.target:
        return reverse(name) + row.query
    if row.target == "token":
        return reverse(name, args=[objects.token_a if own else objects.token_b])
    return reverse(name, args=[targets[row.target].pk]) + row.query


def _request(http: HttpClient, personas: Personas, objects: ClinicalObjects, name: str, row: Row, side: str):
    url = _url(personas, objects, name, row, side)
    form = {key: value.format(org_b=personas.org_b.pk) for key, value in row.form.items()}
    return http.get(url) if row.method == "get" else http.post(url, form)


@pytest.mark.parametrize("side", [OWN, OTHER])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(personas, name: str, role: Role, side: str):
    row = MATRIX[name]
    objects = clinical_objects(personas)
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


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix_anonymous(personas, name: str):
    row = MATRIX[name]
    response = _request(HttpClient(), personas, clinical_objects(personas), name, row, OWN)
    assert response.status_code == row.anonymous
    if row.anonymous == 302:
        assert response["Location"].startswith(reverse("login"))


def test_a_therapist_of_another_organisation_gets_404_on_every_object_url(personas):
    http = logged_in(personas.therapist_b)
    objects = clinical_objects(personas)
    for name, row in MATRIX.items():
        if row.target and not row.public:
            assert _request(http, personas, objects, name, row, OWN).status_code == 404, name


def test_a_therapist_gets_404_on_a_colleagues_clinical_objects(personas):
    http = logged_in(personas.therapist_a2)
    objects = clinical_objects(personas)
    for name, row in MATRIX.items():
        if row.target and not row.public and row.expected[T] != 404:
            assert _request(http, personas, objects, name, row, OWN).status_code == 404, name
