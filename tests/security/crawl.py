"""One crawl of every read of the permission matrix, shared by the suites that check its answers.

The permission matrix, the headers test and the test that no read writes each requested every page and API read
for themselves, on objects they had just written. The crawl sends each of those GET requests once per test session,
as each role of organisation A and as nobody, on organisation A's object and on organisation B's, and keeps the
answers; each suite asserts its own property over them. Requests that write (the rows of actions) are still sent
by the tests, each in its own transaction.

Each request goes out in a session of its own, as the matrix sent it. The crawl runs in a transaction rolled back
at its end, so the audit events and sessions its reads write reach no other test; before that it notes which
tables the reads changed (none may, tests/security/test_csrf_and_methods.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.http.response import ResponseHeaders
from django.test import Client as HttpClient

from iptriad.accounts.models import Role
from tests.conftest import Personas, logged_in
from tests.security.fingerprint import changed_since, data_fingerprint, enrol_everyone
from tests.security.matrix_rows import ROWS
from tests.security.matrix_rows.base import MatrixObjects
from tests.security.pages import row_url

OWN, OTHER = "own", "other"
# The rows the crawl reads: every URL name whose row is a GET.
READS = tuple(name for name, row in sorted(ROWS.items()) if row.method == "get")


@dataclass(frozen=True)
class Answer:
    """What one read answered (a response without its request and template context, which the crawl drops)."""

    url: str
    status_code: int
    headers: ResponseHeaders
    content: bytes

    def get(self, header: str, default: Any = None) -> Any:
        return self.headers.get(header, default)

    def __getitem__(self, header: str) -> str:
        return self.headers[header]


@dataclass(frozen=True)
class Crawl:
    """The answer to every read: by URL name, role of organisation A (None for nobody) and side."""

    answers: dict[tuple[str, Role | None, str], Answer]
    changed: list[str]  # the tables whose rows the reads changed

    def answer(self, name: str, role: Role | None, side: str = OWN) -> Answer:
        return self.answers[name, role, side]

    def __iter__(self) -> Iterator[tuple[str, Role | None, str, Answer]]:
        for (name, role, side), answer in self.answers.items():
            yield name, role, side, answer


def _kept(url: str, response: Any) -> Answer:
    content = response.getvalue()  # a streamed one too: the test client closes it once read
    return Answer(url=url, status_code=response.status_code, headers=response.headers, content=content)


def crawl_reads(personas: Personas, objects: MatrixObjects) -> Crawl:
    """Send every read of the matrix; rolled back by the caller."""
    enrol_everyone()
    before = data_fingerprint()
    handler = HttpClient().handler  # its middleware loaded once, for every session below
    answers: dict[tuple[str, Role | None, str], Answer] = {}
    for name in READS:
        row = ROWS[name]
        for side in (OWN, OTHER) if row.target else (OWN,):
            url = row_url(name, row, objects, personas, own=side == OWN)
            for role in (*Role, None):
                http = logged_in(personas.member_of_a(role)) if role is not None else HttpClient()
                http.handler = handler
                answers[name, role, side] = _kept(url, http.get(url))
    return Crawl(answers=answers, changed=changed_since(before))
