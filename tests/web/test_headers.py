"""Every page answers with the strict Content-Security-Policy, never framed, with no third-party origin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from iptriad.accounts.models import Role
from tests.conftest import logged_in
from tests.security.matrix_rows import ROWS
from tests.security.matrix_rows.base import matrix_objects

pytestmark = pytest.mark.django_db


def _directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.ADMIN])
def test_every_page_carries_the_strict_policy(personas, role):
    http = logged_in(personas.member_of_a(role))
    objects = matrix_objects(personas)
    checked = 0
    for name, row in ROWS.items():
        if row.method != "get":
            continue
        url = reverse(name, args=[objects.target(row.target, True, personas)]) if row.target else reverse(name)
        response = http.get(url + row.query)
        header = response.get("Content-Security-Policy", "")
        assert header, f"{name} has no Content-Security-Policy"
        directives = _directives(header)
        assert directives.get("frame-ancestors") == ["'none'"], name
        for values in directives.values():
            assert all(value.startswith("'") or value in ("data:",) for value in values), (name, header)
        checked += 1
    assert checked > 30
