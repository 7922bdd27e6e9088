"""The dashboard as last built, kept while nothing it reads has changed: the page's people, counts and gravest
cases (with their rows' markup) are read and built once per change, not once per view.

The key holds a version read in one query: the organisation's flags rows (their newest `computed_at` and their
number: every input change refreshes a row), its supervision meetings (newest `updated_at`, number: the "since the
last meeting" counts) and its memberships (number, newest id: who is listed), with the day and the time zone (what
"since" and "new" are measured against) and whose dashboard it is (everyone's, or one person's own). What the
version cannot see (a client renamed, a member's role changed) is at most MAX_AGE old. Every view still records
which clients it named: the audit event is written per view, never cached.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Organisation
from iptriad.flags.dashboard.permissions import dashboard_policy
from iptriad.flags.dashboard.rows import case_rows, day
from iptriad.flags.dashboard.selectors import Dashboard, dashboard, record_dashboard_viewed
from iptriad.flags.models import ContextFlags
from iptriad.supervision.models import SupervisionEntry

MAX_AGE = 60  # seconds: the bound on what the version cannot see


@dataclass(frozen=True)
class Built:
    board: Dashboard
    sections_html: SafeString  # every person's section, rendered (the template's loop over 50 people cost most)


def _aggregate(rows: Any, value: Any) -> Subquery:
    """One figure of the organisation's rows, as a subquery of the organisation's row."""
    grouped = rows.filter(organisation_id=OuterRef("pk")).order_by().values("organisation_id")
    return Subquery(grouped.annotate(value=value).values("value"))


def dashboard_version(organisation_id: int) -> tuple[Any, ...]:
    """What the dashboard reads, summed up in one query (each part an index or a narrow scan)."""
    flags, entries, members = ContextFlags.objects.all(), SupervisionEntry.objects.all(), Membership.objects.all()
    row = (
        Organisation.objects.filter(pk=organisation_id)
        .annotate(
            flags_newest=_aggregate(flags, Max("computed_at")),
            flags_count=_aggregate(flags, Count("pk")),
            entries_newest=_aggregate(entries, Max("updated_at")),
            entries_count=_aggregate(entries, Count("pk")),
            members_count=_aggregate(members, Count("pk")),
            members_newest=_aggregate(members, Max("pk")),
        )
        .values_list(
            "flags_newest", "flags_count", "entries_newest", "entries_count", "members_count", "members_newest"
        )
        .first()
    )
    return tuple(row or ())


def dashboard_built(actor: Actor) -> Built:
    """The dashboard the actor sees, from the cache when nothing it reads has changed; the view is audited either
    way."""
    scope = "all" if dashboard_policy.sees_everyone(actor) else f"own:{actor.user_id}"
    version = dashboard_version(actor.organisation.pk)
    parts = (actor.organisation.pk, scope, timezone.localdate(), actor.organisation.time_zone, *version)
    key = "flags:dashboard:" + hashlib.sha256(repr(parts).encode()).hexdigest()
    built = cache.get(key)
    if not isinstance(built, Built):
        board = dashboard(actor=actor, record=False)
        sections = [
            {"person": person, "rows": SafeString(case_rows(person.cases)), "last_meeting": day(person.last_meeting)}
            for person in board.people
        ]
        html = render_to_string("flags/_dashboard_sections.html", {"sections": sections})
        built = Built(board=board, sections_html=SafeString(html))
        cache.set(key, built, MAX_AGE)
    record_dashboard_viewed(actor, built.board)
    return built
