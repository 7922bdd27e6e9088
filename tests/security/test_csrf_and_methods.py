"""Cross-site request forgery and GET on actions, for every URL pattern of the permission matrix.

- Without a CSRF token, a POST to ANY URL (pages, their forms, the login page, the API by session) is refused with
  403 and writes nothing; with the token, the page actions do what their row says. The one exception is the public
  self-report page: its single-use link is the credential, and a phone that blocks cookies must still be able to
  send its answers (docs/decisions/0028-self-report-link-is-its-own-credential.md). No other view is exempt.
- A GET never changes data: the actions answer 405; every page and every API read leaves every table as it was
  (only the audit trail, which records reads, and the session may grow). The reads are the shared crawl's
  (tests/security/crawl.py), sent as every role and as no one.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLResolver, get_resolver

from iptriad.accounts.models import User
from tests.conftest import Personas, logged_in
from tests.security.crawl import READS, Crawl
from tests.security.fingerprint import changed_since, data_fingerprint, enrol_everyone
from tests.security.matrix_rows import ROWS
from tests.security.matrix_rows.api import ApiRow
from tests.security.matrix_rows.base import MatrixObjects, Row
from tests.security.pages import is_page, member_for, row_url

pytestmark = pytest.mark.django_db

CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
# Pages that take a POST without a CSRF token, each for a reason its decision note gives.
CSRF_EXEMPT_PAGES = {"self-report", "messages-stop", "sms-inbound"}


def _csrf_client(user: User | None) -> HttpClient:
    """A session that has passed the authenticator code too, so the CSRF check (not MFA) is what answers."""
    if user is None:
        return HttpClient(enforce_csrf_checks=True)
    return logged_in(user, enforce_csrf_checks=True)


def _send(http: HttpClient, url: str, row: Row, personas: Personas, extra: dict[str, str] | None = None) -> Any:
    if isinstance(row, ApiRow):
        method = "post" if row.method == "get" else row.method
        return getattr(http, method)(url, row.json, content_type="application/json", headers=extra or {})
    form = {key: value.format(org_b=personas.org_b.pk) for key, value in row.form.items()}
    return http.post(url, {**form, **(extra or {})})


def _sender(row: Row, personas: Personas) -> User | None:
    """Whoever the row lets furthest in: a member it answers without 403/404, else the therapist, or no one."""
    if row.public:
        return None
    for status in (200, 201, 204, 302, 422):
        member = member_for(row, personas, status)
        if member is not None:
            return member
    return personas.therapist_a


def test_every_post_without_a_csrf_token_is_refused_and_writes_nothing(personas, objects):
    clients: dict[int | None, HttpClient] = {}
    enrol_everyone()
    before = data_fingerprint()
    refused = 0
    for name, row in sorted(ROWS.items()):
        member = _sender(row, personas)
        key = member.pk if member else None
        http = clients.setdefault(key, _csrf_client(member))
        response = _send(http, row_url(name, row, objects, personas), row, personas)
        if isinstance(row, ApiRow) and row.method == "get":
            # The API checks CSRF per operation: a POST to a read-only path is not routed (405), unless an action
            # shares the path (403 from its check). A path with no operation at all (the root) answers the API's
            # JSON 404 to every method: nothing there could act (tests/api/test_unknown_paths.py).
            no_operation = set(row.expected.values()) == {404} and row.anonymous == 404
            assert response.status_code in ((403, 405, 404) if no_operation else (403, 405)), name
        elif name == "sms-inbound":
            assert response.status_code == 403, name  # past CSRF; without the gateway's signature nothing is read
        elif name in CSRF_EXEMPT_PAGES:
            assert response.status_code == 400, (name, response.status_code)  # past CSRF; an empty form writes nothing
        else:
            assert response.status_code == 403, (name, response.status_code)
        refused += 1
    anonymous_login = HttpClient(enforce_csrf_checks=True).post("/login/", {"username": "x@example.org"})
    assert anonymous_login.status_code == 403
    assert changed_since(before) == []
    assert refused == len(ROWS)


def _token(http: HttpClient) -> str:
    match = CSRF_INPUT.search(http.get("/login/" if not http.session.session_key else "/").content)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()


def test_page_actions_work_with_the_csrf_token(personas, objects):
    checked = 0
    for name, row in sorted(ROWS.items()):
        # The SMS webhook takes no CSRF token (the gateway signs it): tests/notifications/test_optout_http.py.
        if not is_page(name) or row.method != "post" or name in ("logout", "organisation-switch", "sms-inbound"):
            continue
        # Most actions redirect; a few answer with a page (new recovery codes are shown once, 200).
        done = 302 if member_for(row, personas, 302) is not None else 200
        member = member_for(row, personas, done)
        assert member is not None, name
        http = _csrf_client(member)
        response = _send(http, row_url(name, row, objects, personas), row, personas, {"csrfmiddlewaretoken": ""})
        assert response.status_code == 403, name
        token = _token(http)
        url = row_url(name, row, objects, personas)
        response = _send(http, url, row, personas, {"csrfmiddlewaretoken": token})
        # Past the CSRF check; an earlier action (ending the problem area) may make a later one refused (400).
        assert response.status_code in (done, 400), (name, response.status_code)
        checked += response.status_code == done
    assert checked >= 10


def test_the_api_by_session_accepts_the_csrf_header(personas):
    http = _csrf_client(personas.therapist_a)
    token = _token(http)
    body = {"concern": "Said they feel hopeless."}
    url = f"/api/v1/clients/{personas.client_a.pk}/alerts"
    assert http.post(url, body, content_type="application/json").status_code == 403
    response = http.post(url, body, content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_the_public_self_report_works_for_a_phone_that_blocks_cookies(personas, objects):
    url = f"/r/{objects.clinical.token_a}/"
    http = HttpClient(enforce_csrf_checks=True)
    page = http.get(url)
    assert not CSRF_INPUT.search(page.content)
    assert "csrftoken" not in page.cookies  # it sets no cookie a phone could refuse
    http.cookies.clear()
    answers = {f"item_{n}": "0" for n in range(1, 11)}
    response = http.post(url, answers, headers={"origin": "https://elsewhere.example"})
    assert response.status_code == 200
    assert b"Thank you" in response.content


def _views(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_views(pattern.url_patterns, prefix + str(pattern.pattern)))
        else:
            found.append((pattern.name or prefix + str(pattern.pattern), pattern.callback))
    return found


def test_no_page_but_the_self_report_is_csrf_exempt():
    exempt = {name for name, view in _views(get_resolver().url_patterns) if getattr(view, "csrf_exempt", False)}
    # The API's views are exempt at Django's level because the API checks CSRF itself, per operation, for a
    # session (test_the_api_by_session_accepts_the_csrf_header above).
    pages = {name for name in exempt if not name.startswith("api-")}
    assert pages == CSRF_EXEMPT_PAGES


def _mutating(name: str, row: Row) -> bool:
    return row.method != "get"


def _get_route_shared_with_a_read(name: str, objects: MatrixObjects, personas: Personas) -> bool:
    """An API action at the same path as a read (PATCH /persons/{id} beside GET /persons/{id})."""
    row = ROWS[name]
    url = row_url(name, row, objects, personas)
    return any(
        other.method == "get" and row_url(other_name, other, objects, personas) == url
        for other_name, other in ROWS.items()
        if isinstance(other, ApiRow) and other.target == row.target
    )


def test_a_get_on_every_action_is_refused_with_405_and_writes_nothing(personas, objects):
    checked = 0
    enrol_everyone()
    before = data_fingerprint()
    for name, row in sorted(ROWS.items()):
        if not _mutating(name, row):
            continue
        member = _sender(row, personas)
        http = _csrf_client(member)
        response = http.get(row_url(name, row, objects, personas))
        if _get_route_shared_with_a_read(name, objects, personas):
            assert response.status_code in (200, 404), name  # the read, answering as its own row says
        else:
            assert response.status_code == 405, (name, response.status_code)
        checked += 1
    assert changed_since(before) == []
    assert checked >= 40


def test_trace_is_refused_on_every_url(personas, objects):
    """TRACE is not served (ASVS 13.4.4): every page and API operation answers 405, or 404 for an unknown id."""
    enrol_everyone()
    answered = {}
    for name, row in sorted(ROWS.items()):
        http = _csrf_client(_sender(row, personas))
        answered[name] = http.generic("TRACE", row_url(name, row, objects, personas)).status_code
    assert {name: status for name, status in answered.items() if status not in (404, 405)} == {}
    assert list(answered.values()).count(405) >= len(answered) - 5


def test_no_page_or_api_read_changes_data(crawl: Crawl):
    """The shared crawl: every page and API read, as every role of organisation A and as no one, on both
    organisations' objects."""
    assert {name for name, *_ in crawl} == set(READS)
    assert [(name, role, side) for name, role, side, answer in crawl if answer.status_code >= 500] == []
    assert crawl.changed == []


def test_the_fingerprint_sees_a_changed_row(personas):
    before = data_fingerprint()
    personas.client_a.gender = "changed"
    personas.client_a.save(update_fields=["gender"])
    assert changed_since(before) == ["clients.Client"]
