"""Hostile values of every class through every API operation and every form of every page (issue 16, item 6).

The classes: integers past the database's range, negative and non-numeric where a number is expected (ids in paths,
page numbers, counts, scores, minutes); NUL characters and one character past the limit in text; dates like
0001-01-01 and 9999-12-31. Each is sent alone, the rest of the request as a person would send it, and the answer
must be a refusal that says what is wrong (400, 404 or 422; a page's form sent back with its errors), never a 500
and never a date or text stored as sent.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import messages
from django.test import Client as HttpClient
from django.urls import resolve, reverse

from iptriad.accounts.models import Role
from iptriad.api.urls import api
from iptriad.courses.models import Course
from tests.api.conftest import token_for
from tests.conftest import Personas, logged_in
from tests.courses.factories import make_course
from tests.security.matrix_rows import ROWS
from tests.security.matrix_rows.api import ApiRow
from tests.security.matrix_rows.base import MatrixObjects
from tests.security.pages import Field, Form, forms_of, is_page, member_for, row_url, url_patterns
from tests.security.test_api_schemathesis import Caller, _operation_id
from tests.security.test_xss import _baseline

pytestmark = pytest.mark.django_db

HUGE_INTEGERS = (str(2**63), str(2**64 + 1), "9" * 40)
NUMBERS = (*HUGE_INTEGERS, "-1", "-99999999999999999999", "abc", "1e309", "1.5", "\x00")
DATES = ("0001-01-01", "9999-12-31", "99999-01-01", "2026-02-30", "\x00")
NONSENSE_DATES = ("0001-01-01", "9999-12-31")  # valid dates no record can have: stored, they are the finding
NUL = "a\x00b"


# --- Ids in paths ---------------------------------------------------------------------------------------------


def _paths_with_ids() -> list[tuple[str, str]]:
    found = [(name, route) for name, route in url_patterns() if "<int:" in route]
    assert len(found) >= 40
    return found


def test_an_id_past_the_database_range_in_any_path_is_a_404(personas):
    """A page or API path with an id past 64 bits: the converter matches, the database must not be asked."""
    page = logged_in(personas.therapist_a)
    api_headers = {"Authorization": f"Bearer {token_for(personas.therapist_a, personas.org_a)}"}
    answered: dict[int, int] = defaultdict(int)
    for _name, route in _paths_with_ids():
        for value in HUGE_INTEGERS:
            path = "/" + re.sub(r"<int:\w+>", value, route)
            for method in ("get", "post"):
                response = getattr(page, method)(path, headers=api_headers if path.startswith("/api/") else {})
                assert response.status_code in (400, 403, 404, 405, 422), (method, path, response.status_code)
                answered[response.status_code] += 1
    assert answered[404] > 100


# --- The API ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BodyField:
    method: str
    path: str
    name: str
    kind: str  # integer, date, text
    max_length: int | None

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path} {self.name}"


def _kind(schema: dict[str, Any]) -> tuple[str, int | None] | None:
    options = schema.get("anyOf", [schema])
    for option in options:
        if option.get("type") == "integer":
            return "integer", None
        if option.get("format") == "date":
            return "date", None
        if option.get("type") == "string" and "enum" not in option and "format" not in option:
            return "text", option.get("maxLength")
    return None


def _body_fields() -> list[BodyField]:
    document = api.get_openapi_schema()
    schemas = document["components"]["schemas"]
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if "requestBody" not in operation:
                continue
            reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            for name, schema in schemas[reference.rsplit("/", 1)[-1]]["properties"].items():
                kind = _kind(schema)
                if kind is not None:
                    found.append(BodyField(method, path, name, *kind))
    return found


BODY_FIELDS = _body_fields()


def test_the_api_fields_of_each_class_are_found():
    kinds = {field.kind for field in BODY_FIELDS}
    assert kinds == {"integer", "date", "text"}
    assert sum(field.kind == "date" for field in BODY_FIELDS) >= 15
    assert sum(field.kind == "text" for field in BODY_FIELDS) >= 60
    assert all(field.max_length for field in BODY_FIELDS if field.kind == "text"), "every text has a limit"


def _values(field: BodyField) -> list[Any]:
    if field.kind == "integer":
        return [2**64, -(2**63) - 1, "abc", 1.5, "1\x00"]
    if field.kind == "date":
        return [*DATES, 20260101]
    assert field.max_length is not None
    return [NUL, "x" * (field.max_length + 1)]


@pytest.mark.parametrize("field", [f for f in BODY_FIELDS if f.kind != "integer"], ids=str)
def test_hostile_text_and_dates_in_a_body_are_refused_with_422(personas, objects, field: BodyField):
    """(Integers are sent by tests/security/test_api_schemathesis.py at the edges of 32 and 64 bits.)"""
    row = ROWS["api-" + _operation_id(field.method, field.path).replace("_", "-")]
    assert isinstance(row, ApiRow)
    url = re.sub(r"{(\w+)}", lambda match: str(Caller.ids_of(personas, objects)[match.group(1)]), field.path)
    http = HttpClient()
    # A therapist, unless the operation refuses their role (setting groups up): then a supervisor, who gets through.
    sender = personas.therapist_a if row.expected[Role.THERAPIST] != 403 else personas.supervisor_a
    headers = {"Authorization": f"Bearer {token_for(sender, personas.org_a)}"}
    for value in _values(field):
        body = {**row.json, field.name: value}
        response = getattr(http, field.method)(url, body, content_type="application/json", headers=headers)
        # 404: the matrix's target may be refused to a therapist's token before the body is read.
        assert response.status_code in (404, 422), (field.name, repr(value)[:40], response.status_code)
        if response.status_code == 422 and value in NONSENSE_DATES:
            detail = json.loads(response.content)["detail"]
            assert detail, response.content


# --- The pages --------------------------------------------------------------------------------------------------


@dataclass
class Target:
    name: str
    url: str
    form: Form
    http: HttpClient


def _targets(personas: Personas, objects: MatrixObjects) -> list[Target]:
    """Every form that posts, on every page a member of organisation A may see, once per action and field set."""
    clients: dict[int, HttpClient] = {}
    targets: dict[tuple[str, tuple[str, ...]], Target] = {}
    for name, row in sorted(ROWS.items()):
        if not is_page(name) or row.method != "get":
            continue
        member = member_for(row, personas)
        if member is None:
            continue
        http = clients.setdefault(member.pk, logged_in(member))
        url = row_url(name, row, objects, personas)
        response = http.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for form in forms_of(response.content.decode())[0]:
            if form.method != "post":
                continue
            action = form.action or url.split("?")[0]
            action_name = resolve(action.split("?")[0]).url_name or ""
            if action_name in ("logout", "organisation-switch", "course-close", "alert-detail"):
                continue  # they end the session or the object the other forms write to
            key = (action_name, tuple(sorted(f.name for f in form.fields)))
            targets.setdefault(key, Target(name=action_name, url=action, form=form, http=http))
    return list(targets.values())


def _hostile_values(field: Field) -> tuple[str, ...]:
    if field.type == "number" or (field.tag == "select" and any(v.isdigit() for v, _ in field.options)):
        return NUMBERS
    if field.type == "hidden" and field.value.isdigit():
        return NUMBERS
    if field.type == "date":
        return DATES
    if field.is_free_text:
        return (NUL, "x" * ((field.maxlength or 1_000_000) + 1))
    return ()


def _stored(response: Any) -> bool:
    """A redirect with no error message: what a form that saved answers (an action's refusal redirects too, with its
    error as a message)."""
    if response.status_code not in (301, 302, 303):
        return False
    return not any(message.level >= messages.ERROR for message in messages.get_messages(response.wsgi_request))


def test_every_free_text_field_of_every_form_declares_its_limit(personas, objects):
    unbounded = [
        f"{target.name}: {field.name}"
        for target in _targets(personas, objects)
        for field in target.form.text_fields
        if field.maxlength is None and field.type not in ("hidden",)
    ]
    assert not unbounded, "free-text fields the browser lets grow without a limit: " + ", ".join(unbounded)


@pytest.mark.slow  # over ten seconds: `make test` runs it, `make test-fast` leaves it out
def test_hostile_values_in_every_form_are_refused_never_a_500(personas, objects):
    targets = _targets(personas, objects)
    sent = 0
    stored: list[str] = []
    for target in targets:
        for field in target.form.fields:
            for value in _hostile_values(field):
                data = _baseline(target.form)
                data[field.name] = [value]
                response = target.http.post(target.url, data)
                sent += 1
                assert response.status_code < 500, (target.name, field.name, repr(value)[:40])
                if _stored(response) and (value in NONSENSE_DATES or value == NUL or len(value) > 1000):
                    stored.append(f"{target.name}: {field.name}={value[:20]!r}")
    assert not stored, "hostile values stored as sent:\n" + "\n".join(stored)
    assert len(targets) >= 25
    assert sent >= 300


def test_a_course_opened_before_birth_for_a_client_with_an_open_course_is_a_form_error_not_a_500(personas):
    """Found by the test above: the service's message about the client named a field the form does not have."""
    if not Course.objects.filter(client=personas.client_a).open().exists():  # the matrix's course may be open
        make_course(personas.client_a, personas.therapist_a)
    url = reverse("course-open", args=[personas.client_a.pk])
    body = {"adaptation": "standard", "therapist": personas.therapist_a.pk, "opened_on": "0001-01-01"}
    response = logged_in(personas.therapist_a).post(url, body)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This client already has an open course" in page
    assert "before the client was born" in page
