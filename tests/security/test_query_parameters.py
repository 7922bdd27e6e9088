"""Sort, filter and page parameters are allow-listed: hostile values never reach the SQL or a 500.

Every GET parameter a page reads (found in the source: `request.GET.get("...")`, a form bound to `request.GET`, the
shared paginator) is sent hostile values: field names a sort could leak by (`-password`, `organisation__name`),
SQL, Python attributes, long and odd Unicode strings, and repeated keys. Sort parameters no page reads (yet) are
sent too. The page must answer as it does without them (the default filter and order) or refuse with a 4xx, and the
ORDER BY clauses of its SQL must be ones it uses anyway.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import iptriad
from iptriad.accounts.audit_views import AuditFilterForm
from iptriad.clients.forms import ClientSearchForm
from iptriad.notifications.forms import MessageFilterForm
from tests.conftest import logged_in, make_client
from tests.security.matrix_rows import ROWS
from tests.security.pages import row_url
from tests.security.test_redirects import HOSTILE_NEXT, assert_on_site

pytestmark = pytest.mark.django_db

SOURCE = Path(iptriad.__file__).parent
# Parameters nobody reads today, which a sortable list would be tempted to: they must change nothing.
SORT_NAMES = ("sort", "ordering", "o")
# What each page reads from its query string (the guard below keeps this list complete).
READS = {
    "client-list": ("q", "status", "page"),
    "audit-list": ("action", "object_type", "object_id", "page"),
    "message-log": ("state", "kind", "channel", "page"),
    "message-response": ("start", "end"),
    "measures-record": ("instrument", "occasion"),
    "measures-trajectory-svg": ("instrument",),
    "groups_list": ("site", "status"),
    "groups_member_add": ("q",),
    "supervision_log": ("page",),
    "supervision_entry_new": ("q", "cases"),
    "outcomes": ("start", "end", "by"),
    "outcomes-csv": ("start", "end", "by"),
    "outcomes-rows-csv": ("start", "end", "by"),
    "outcomes-pdf": ("start", "end", "by"),
    # `next` is read by one helper for the MFA step, its set-up and re-authentication; the page that shows it
    # stands for all three here, and tests/security/test_redirects.py follows it through each of them.
    "account-reauth": ("next",),
}
# Pages an administrator reads (the others, a therapist).
ADMIN_PAGES = ("audit-list", "message-log", "groups_member_add")
# Logging a meeting is a supervisor's; so is the organisation's outcome report (and its rows file, a supervisor's only).
SUPERVISOR_PAGES = ("supervision_entry_new", "outcomes", "outcomes-csv", "outcomes-rows-csv", "outcomes-pdf")
# Pages whose query string carries a secret: without a valid one they answer 404, so they are attacked on their
# own (below) rather than compared with a 200 answer.
READS_A_SECRET = {"account-email-confirm": ("token",), "password-reset-confirm": ("token",)}
# Pages only a programme lead opens (every member of the matrix gets 404): attacked with the same values by
# tests/outcomes/test_programme_pages.py (test_hostile_query_values_are_refused_or_ignored_never_a_500).
READ_BY_LEADS = {
    "programme-outcomes": ("start", "end", "by"),
    "programme-outcomes-csv": ("start", "end", "by"),
    "programme-outcomes-pdf": ("start", "end", "by"),
}
FORMS_BOUND_TO_GET = {
    "ClientSearchForm": ClientSearchForm,
    "AuditFilterForm": AuditFilterForm,
    "MessageFilterForm": MessageFilterForm,
}
HOSTILE = (
    "-password",
    "organisation__name",
    "therapist__password",
    "id;DROP TABLE clients_client;--",
    "1' OR '1'='1",
    "__class__",
    "²",  # a digit to str.isdigit(), not to int()
    "-1",
    "99999999999999999999999999",
    "ünïcødé \u202e\u200b☃",
    "x" * 3000,
)
ORDER_BY = re.compile(r"ORDER BY ((?:[^()]|\([^()]*\))+?)(?: LIMIT| OFFSET|\)|$)", re.DOTALL)
# Values a person would send, whose ORDER BY clauses are the allowed ones (a search sorts its few matches).
LEGITIMATE = {
    "client-list": {"q": "zed", "status": "all", "page": "2"},
    "audit-list": {"action": "client.viewed"},
    "groups_member_add": {"q": "zed"},
    "supervision_entry_new": {"q": "zed"},
}


def test_every_query_parameter_the_source_reads_is_attacked():
    read: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text()
        read.update(re.findall(r"request\.GET\.get\(\s*\"(\w+)\"", text))
        for form_name in re.findall(r"(\w+)\(request\.GET\)", text):
            assert form_name in FORMS_BOUND_TO_GET, f"{path.name}: {form_name} reads the query string"
            read.update(FORMS_BOUND_TO_GET[form_name].base_fields)
        assert "request.GET[" not in text, path
        assert not re.search(r"request\.GET\.(getlist|items|dict|lists)\(", text), path
    attacked = {
        name for names in [*READS.values(), *READS_A_SECRET.values(), *READ_BY_LEADS.values()] for name in names
    }
    assert read <= attacked, f"query parameters read but not attacked: {read - attacked}"
    assert set(READS) | set(READS_A_SECRET) | set(READ_BY_LEADS) <= set(ROWS)


def test_a_hostile_secret_in_the_query_string_is_refused_and_changes_nothing(personas):
    from iptriad.accounts.models import User

    http = logged_in(personas.therapist_a)
    for name, parameters in READS_A_SECRET.items():
        for parameter in parameters:
            for value in HOSTILE:
                assert http.get(reverse(name), {parameter: value}).status_code == 404, (name, value)
                assert http.post(reverse(name), {parameter: value}).status_code == 404, (name, value)
    assert User.objects.get(pk=personas.therapist_a.pk).email == personas.therapist_a.email
    assert User.objects.get(pk=personas.therapist_a.pk).password == personas.therapist_a.password


def _orderings(queries: list[dict[str, str]]) -> set[str]:
    return {match for query in queries for match in ORDER_BY.findall(query["sql"])}


def _client_ids(content: bytes) -> list[bytes]:
    return re.findall(rb'href="/clients/(\d+)/"', content)


@pytest.mark.slow  # over ten seconds: `make test` runs it, `make test-fast` leaves it out
def test_hostile_sort_filter_and_page_values_change_nothing(personas, objects):
    for n in range(30):  # more than a page of clients, so paging and ordering show
        make_client(personas.org_a, f"A-9{n:03}", personas.therapist_a, family_name=f"Zed{n % 7}", given_name=f"G{n}")
    probes = 0
    for name, parameters in READS.items():
        row = ROWS[name]
        http = logged_in(
            personas.admin_a
            if name in ADMIN_PAGES
            else personas.supervisor_a
            if name in SUPERVISOR_PAGES
            else personas.therapist_a
        )
        url = row_url(name, row, objects, personas)
        with CaptureQueriesContext(connection) as default_queries:
            default = http.get(url)
        assert default.status_code == 200, name
        allowed_orderings = _orderings(default_queries.captured_queries)
        for parameter, value in LEGITIMATE.get(name, {}).items():
            with CaptureQueriesContext(connection) as legitimate:
                assert http.get(url, {parameter: value}).status_code == 200
            allowed_orderings |= _orderings(legitimate.captured_queries)
        last_page = http.get(url, {"page": "999"}).content if name == "client-list" else b""
        base_query = dict(part.split("=") for part in row.query.lstrip("?").split("&") if part)
        for parameter in (*parameters, *SORT_NAMES):
            for value in (*HOSTILE, *HOSTILE_NEXT) if parameter == "next" else HOSTILE:
                with CaptureQueriesContext(connection) as queries:
                    response = http.get(url.split("?")[0], {**base_query, parameter: value})
                probes += 1
                where = (name, parameter, value[:40])
                assert response.status_code in (200, 302, 400, 404), (*where, response.status_code)
                if response.status_code == 302:
                    assert_on_site(response["Location"])
                if response.status_code == 200:
                    assert _orderings(queries.captured_queries) <= allowed_orderings, where
                if name == "client-list" and parameter != "q":
                    # Not a search: the same clients in the same order as with no parameter at all (a page number
                    # out of range gives the last page, as the paginator documents).
                    shown = _client_ids(response.content)
                    assert shown == _client_ids(default.content) or (
                        parameter == "page" and shown == _client_ids(last_page)
                    ), where
            repeated = http.get(url.split("?")[0] + f"?{parameter}=-password&{parameter}=__class__&{row.query[1:]}")
            assert repeated.status_code in (200, 302, 400, 404), (name, parameter)
            probes += 1
    assert probes >= 200
