"""The flagged cases' table rows, built once in Python with `format_html` (which escapes every value).

Why not a template: the dashboard shows up to 3 cases for each of 50 people at tier M, each with its flags, and
Django's template engine spent about 25 ms a page on those rows alone (a node and a date filter per value), more
than all the page's queries together; the people's table, a row per person, stays a template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from iptriad.flags.dashboard.selectors import CaseRow, FlagShown, PersonRow

KIND_WORDS = {"course": "IPT course", "group": "group member"}


def day(value: dt.date | None, empty: str = "") -> str:
    """A date as the pages write it ("3 Nov 2026", the `j M Y` of the templates)."""
    return f"{value.day} {value:%b} {value.year}" if value is not None else empty


def _flag(flag: FlagShown) -> SafeString:
    return format_html(
        "<li>{}<strong>{}</strong>: {}{}</li>",
        format_html("<strong>{}</strong> ", "New:") if flag.new else "",
        flag.title,
        flag.why,
        format_html(' <span class="hint">(since {})</span>', day(flag.since)) if flag.since else "",
    )


def _client(case: CaseRow) -> SafeString:
    name = format_html('<a href="{}">{}</a>', case.url, case.client_name) if case.url else case.client_name
    kind = KIND_WORDS.get(case.kind, case.kind)
    return format_html('{} <span class="hint">{}, {}</span>', name, case.client_identifier, kind)


def case_rows(cases: Iterable[CaseRow]) -> SafeString:
    """The `<tr>` of each case: client (linked to the record), flags with why and since (new ones marked in words,
    not colour), and the last review."""
    return format_html_join(
        "\n",
        '<tr><td data-label="Client">{}</td><td data-label="Flags"><ul class="flags">{}</ul></td>'
        '<td data-label="Last review">{}</td></tr>',
        (
            (
                _client(case),
                format_html_join("", "{}", ((_flag(flag),) for flag in case.flags)),
                day(case.last_review_on, "Never reviewed"),
            )
            for case in cases
        ),
    )


_PLACEHOLDER = "2147483647"  # a membership id no member has, replaced by each row's own


def people_rows(people: Iterable[PersonRow]) -> SafeString:
    """The `<tr>` of each person, counts only (no client named): name (linked to their page) and role, gravest flag,
    flagged and active cases, and what changed since their last supervision."""
    # One reverse for the table, not one a row (it costs more than the rest of a row).
    url = reverse("supervision-dashboard-person", args=[int(_PLACEHOLDER)])
    rows = [
        format_html(
            '<tr><td data-label="Person"><a href="{}">{}</a> <span class="hint">({})</span></td>'
            '<td data-label="Gravest flag">{}</td><td data-label="Flagged cases" class="num">{}</td>'
            '<td data-label="Active cases" class="num">{}</td><td data-label="Since last supervision">{}</td></tr>',
            url.replace(_PLACEHOLDER, str(person.membership_id)),
            person.name,
            person.role,
            person.gravest or "None",
            person.flagged_cases,
            person.active_cases,
            _since(person),
        )
        for person in people
    ]
    return format_html_join("\n", "{}", ((row,) for row in rows))


def _since(person: PersonRow) -> str:
    if not person.last_meeting:
        return "No supervision logged"
    return f"{person.changed_since} changed, {person.cleared_since} cleared since {day(person.last_meeting)}"
