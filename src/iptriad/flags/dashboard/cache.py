"""The dashboard as last built, kept while nothing it reads has changed: the page's people, counts and gravest
cases (with their rows' markup) are read and built once per change, not once per view. The supervisor's home keeps
its summary (people with their counts, the gravest cases) the same way, under the same version.

The key holds a version read in one query: the organisation's flags rows (their newest `computed_at` and their
number: every input change refreshes a row), its supervision meetings (newest `updated_at`, number: the "since the
last meeting" counts) and its memberships (number, newest id: who is listed), with the day and the time zone (what
"since" and "new" are measured against) and whose dashboard it is (everyone's, or one person's own). What the
version cannot see (a client renamed, a member's role changed) is at most MAX_AGE old. Every view still records
which clients it named: the audit event is written per view, never cached.

Kept in the process's memory, not in Django's cache: the local-memory cache pickles what it keeps, and unpickling the
board (50 people, 144 cases with their flags) cost about a quarter of a warm view at tier M. Each process builds its
own copy once per change, as it did with the per-process default cache; what is kept is only read, never changed.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership
from iptriad.flags.dashboard.permissions import dashboard_policy
from iptriad.flags.dashboard.rows import case_rows, day, people_rows
from iptriad.flags.dashboard.selectors import (
    Dashboard,
    dashboard,
    gravest_cases,
    record_dashboard_viewed,
    record_home_viewed,
)
from iptriad.flags.models import ContextFlags
from iptriad.supervision.models import SupervisionEntry

MAX_AGE = 60  # seconds: the bound on what the version cannot see
KEPT = 256  # dashboards kept per process (the organisation's, and each therapist's or facilitator's own), newest used


@dataclass(frozen=True)
class Built:
    board: Dashboard
    sections_html: SafeString  # every person's section, rendered (the template's loop over 50 people cost most)
    client_ids: tuple[int, ...]  # the clients the page names, for each view's audit event


@dataclass(frozen=True)
class HomeBuilt:
    """The supervisor's home summary: everyone's counts (no client named) and the gravest cases."""

    board: Dashboard  # the people with their counts, without their cases
    people_html: SafeString
    gravest_html: SafeString
    gravest_client_ids: tuple[int, ...]  # for each view's audit event


B = TypeVar("B", Built, HomeBuilt)


class _Kept(Generic[B]):
    """The dashboards last built, by key, each until MAX_AGE after it was built; the least recently used go first."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()  # gunicorn's threads share a process
        self._entries: OrderedDict[str, tuple[float, B]] = OrderedDict()

    def get(self, key: str) -> B | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= self._clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def set(self, key: str, built: B) -> None:
        with self._lock:
            self._entries[key] = (self._clock() + MAX_AGE, built)
            self._entries.move_to_end(key)
            while len(self._entries) > KEPT:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


kept: _Kept[Built] = _Kept()
kept_homes: _Kept[HomeBuilt] = _Kept()


def forget_kept() -> None:
    """Drop every dashboard and home summary this process keeps (the tests' data is theirs alone)."""
    kept.clear()
    kept_homes.clear()


def _version_sql() -> str:
    """The version's one statement, written once: the ORM spent longer composing its six subqueries than PostgreSQL
    or SQLite spent answering them (table names from the models; no value is interpolated, all are parameters)."""
    flags, entries = ContextFlags._meta.db_table, SupervisionEntry._meta.db_table
    members = Membership._meta.db_table
    return (
        f"SELECT (SELECT MAX(computed_at) FROM {flags} WHERE organisation_id = %s),"  # noqa: S608  # nosec B608  # the models' table names
        f" (SELECT COUNT(*) FROM {flags} WHERE organisation_id = %s),"
        f" (SELECT MAX(updated_at) FROM {entries} WHERE organisation_id = %s),"
        f" (SELECT COUNT(*) FROM {entries} WHERE organisation_id = %s),"
        f" (SELECT COUNT(*) FROM {members} WHERE organisation_id = %s),"
        f" (SELECT MAX(id) FROM {members} WHERE organisation_id = %s)"
    )


VERSION_SQL = _version_sql()


def dashboard_version(organisation_id: int) -> tuple[Any, ...]:
    """What the dashboard reads, summed up in one query (each part an index or a narrow scan)."""
    with connection.cursor() as cursor:
        cursor.execute(VERSION_SQL, [organisation_id] * 6)
        row = cursor.fetchone()
    return tuple(row or ())


def _key(actor: Actor, page: str) -> str:
    """The page's key for the actor: whose it is, the day and time zone it is measured against, and the version."""
    scope = "all" if dashboard_policy.sees_everyone(actor) else f"own:{actor.user_id}"
    version = dashboard_version(actor.organisation.pk)
    parts = (actor.organisation.pk, scope, timezone.localdate(), actor.organisation.time_zone, *version)
    return f"flags:{page}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def dashboard_built(actor: Actor) -> Built:
    """The dashboard the actor sees, from the cache when nothing it reads has changed; the view is audited either
    way."""
    key = _key(actor, "dashboard")
    built = kept.get(key)
    if built is None:
        board = dashboard(actor=actor, record=False)
        sections = [
            {"person": person, "rows": case_rows(person.cases), "last_meeting": day(person.last_meeting)}
            for person in board.people
        ]
        html = render_to_string("flags/_dashboard_sections.html", {"sections": sections})
        client_ids = tuple(case.client_id for person in board.people for case in person.cases)
        built = Built(board=board, sections_html=html, client_ids=client_ids)
        kept.set(key, built)
    record_dashboard_viewed(actor, built.client_ids)
    return built


def home_summary_built(actor: Actor) -> HomeBuilt:
    """The supervisor's home summary, from the cache when nothing it reads has changed (at 100,000 clients, counting
    10,200 flags rows on every view held the page to a fifth of the floor); the gravest cases it names are audited
    on every view."""
    key = _key(actor, "home")
    built = kept_homes.get(key)
    if built is None:
        board = dashboard(actor=actor, with_cases=False)
        cases = gravest_cases(actor=actor, record=False)
        built = HomeBuilt(
            board=board,
            people_html=people_rows(board.people),
            gravest_html=case_rows(cases),
            gravest_client_ids=tuple(case.client_id for case in cases),
        )
        kept_homes.set(key, built)
    record_home_viewed(actor, built.gravest_client_ids)
    return built
