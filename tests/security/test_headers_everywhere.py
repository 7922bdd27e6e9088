"""Security headers on EVERY answer: every URL pattern, every method it answers, and its errors and redirects.

Each URL of the permission matrix is asked as anonymous, as a member (own object), as a member of the other
organisation (404) and with the wrong method (405 or the CSRF 403); then the static files, /health/, unknown URLs.
The GET answers of the pages and API reads are the shared crawl's (tests/security/crawl.py).
Every answer says nosniff and same-origin Referrer-Policy; every HTML answer carries the strict CSP (never framed,
no third-party origin) and X-Frame-Options DENY; every answer to a member, every API answer and the public
self-report page say no-store. Production's HSTS and cookie flags are checked on a real server process in
tests/security/test_production.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient

from iptriad.accounts.models import Role
from tests.conftest import Personas, logged_in
from tests.security.crawl import OTHER, OWN, Crawl
from tests.security.matrix_rows import ROWS
from tests.security.matrix_rows.api import ApiRow
from tests.security.matrix_rows.base import MatrixObjects, Row
from tests.security.pages import role_for, row_url

pytestmark = pytest.mark.django_db


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        if part.strip():
            name, *values = part.split()
            directives[name] = values
    return directives


def assert_secure_headers(response: Any, where: object, *, client_data: bool, static: bool = False) -> None:
    assert response.get("X-Content-Type-Options") == "nosniff", where
    assert response.get("Referrer-Policy") == "same-origin", where
    # No cross-origin reads: only the public static files (whitenoise) allow any origin, and they hold nothing private.
    assert response.get("Access-Control-Allow-Origin") == ("*" if static else None), where
    if response.get("Content-Type", "").startswith("text/html"):
        assert response["Content-Type"] == "text/html; charset=utf-8", where
        directives = csp_directives(response.get("Content-Security-Policy", ""))
        assert directives.get("frame-ancestors") == ["'none'"], where
        assert directives.get("default-src") == ["'self'"], where
        assert directives.get("object-src") == ["'none'"], where
        assert directives.get("base-uri") == ["'none'"], where
        for values in directives.values():
            assert all(value.startswith("'") or value == "data:" for value in values), where
            assert not any(value.startswith("'unsafe-") for value in values), where  # no eval, no inline code
        assert response.get("X-Frame-Options") == "DENY", where
    if client_data:
        assert "no-store" in response.get("Cache-Control", ""), where


def _ask(http: HttpClient, method: str, url: str, row: Row) -> Any:
    if isinstance(row, ApiRow) and method not in ("get", "head"):
        return getattr(http, method)(url, row.json, content_type="application/json")
    return getattr(http, method)(url, row.form if method == "post" else None)


def _member_role(row: Row) -> Role:
    for status in (200, 201, 204, 302, 422, 403):
        role = role_for(row, status)
        if role is not None:
            return role
    return Role.THERAPIST


def _requests(name: str, row: Row, objects: MatrixObjects, personas: Personas) -> list[tuple[str, str, bool]]:
    """(method, URL, as a member?) for one row: own object, another organisation's, the wrong method, HEAD.

    A read's GETs are not sent here: their answers are the shared crawl's (tests/security/crawl.py)."""
    wrong = "post" if row.method == "get" else "get"
    own = row_url(name, row, objects, personas)
    if row.method == "get":
        return [(wrong, own, True), ("head", own, True)]
    asked = [(row.method, own, True), (row.method, own, False), (wrong, own, True), ("head", own, True)]
    if row.target:
        asked.append((row.method, row_url(name, row, objects, personas, own=False), True))
    return asked


def _client_data(name: str, row: Row, as_member: bool) -> bool:
    return as_member or (isinstance(row, ApiRow) and not row.public) or name in ("self-report", "messages-stop")


def test_every_url_pattern_answers_with_the_security_headers(personas, objects, crawl: Crawl):
    members: dict[int, HttpClient] = {}
    anonymous = HttpClient()
    statuses: set[int] = set()
    for name, row in sorted(ROWS.items()):
        role = _member_role(row)
        if row.method == "get":
            read = [(role, OWN), (None, OWN), *([(role, OTHER)] if row.target else [])]
            for reader, side in read:
                answer = crawl.answer(name, reader, side)
                statuses.add(answer.status_code)
                where = (name, "get", answer.url, answer.status_code)
                assert_secure_headers(answer, where, client_data=_client_data(name, row, reader is not None))
        member = personas.member_of_a(role)
        http_member = members.setdefault(member.pk, logged_in(member))
        for method, url, as_member in _requests(name, row, objects, personas):
            if name == "logout":  # ends the session it is sent with
                http_member = logged_in(member)
            response = _ask(http_member if as_member else anonymous, method, url, row)
            statuses.add(response.status_code)
            client_data = _client_data(name, row, as_member)
            assert_secure_headers(response, (name, method, url, response.status_code), client_data=client_data)
    # The answers covered include successes, redirects, refusals, missing objects and wrong methods.
    assert {200, 201, 302, 401, 404, 405, 422} <= statuses


def test_static_files_health_and_unknown_urls_carry_the_headers(personas):
    member = logged_in(personas.therapist_a)
    anonymous = HttpClient()
    static: Any = anonymous.get("/static/iptriad/htmx-2.0.4.min.js")
    assert static.status_code == 200
    assert b"htmx" in b"".join(static.streaming_content)  # read to the end, which closes the file
    assert_secure_headers(static, "static", client_data=False, static=True)
    for http, as_member in ((anonymous, False), (member, True)):
        for url in ("/health/", "/no-such-page/", "/clients/999999999/", "/api/v1/no-such-thing", "/static/nope.js"):
            response = http.get(url)
            assert_secure_headers(response, (url, as_member), client_data=as_member)
    refused_role = member.get("/audit/")
    refused_csrf = HttpClient(enforce_csrf_checks=True).post("/login/", {"username": "x@example.org"})
    assert (refused_role.status_code, refused_csrf.status_code) == (403, 403)
    assert_secure_headers(refused_role, "refused role", client_data=True)
    assert_secure_headers(refused_csrf, "refused CSRF", client_data=False)
