"""Reports and exports read from a streaming replica; everything else stays on the primary (decision 0043).

A read goes to the replica only when all of these hold, else the router says nothing and Django uses the primary:

- a replica is configured (IPTRIAD_DATABASE_REPLICA_URL; settings.REPLICA_DATABASE names its alias);
- the code asked for it: the read runs inside ``replica_reads()`` (the outcome report, its downloads, the
  ``iptriad report`` command). Ordinary pages never do: a clinician sees what they just saved;
- the person has not written in the last IPTRIAD_REPLICA_STICKY_SECONDS (read-your-writes:
  ``ReadYourWritesMiddleware`` marks a browser that wrote);
- the primary is not inside a transaction of this request's own (the replica could not see its writes);
- the replica answered its last health check, at most IPTRIAD_REPLICA_CHECK_SECONDS ago, no further behind than
  IPTRIAD_REPLICA_MAX_LAG_SECONDS. A replica that is down or lagging is skipped until a later check finds it well.

Writes always go to the primary, whatever the block.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final, TypeVar

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signing import BadSignature
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Set by replica_reads(): the reads inside may be served by the replica.
_replica_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("iptriad_replica_wanted", default=False)
# Set by the middleware for a request whose person wrote a moment ago: their reads stay on the primary.
_primary_required: contextvars.ContextVar[bool] = contextvars.ContextVar("iptriad_primary_required", default=False)

SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
STICKY_SALT: Final = "iptriad.web.replica.sticky"
# PostgreSQL: how far behind the replica is, in seconds. Replayed all it has received: 0 (an idle primary writes
# nothing, so the last replayed transaction's age alone would call an idle replica late). Not in recovery: 0.
LAG_QUERY: Final = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""


@contextmanager
def replica_reads() -> Iterator[None]:
    """The reads inside may come from the replica (a report's or export's reads: never a page a person edits)."""
    token = _replica_wanted.set(True)
    try:
        yield
    finally:
        _replica_wanted.reset(token)


def streamed_in_this_context(items: Iterator[T]) -> Iterator[T]:
    """The items of a streamed response, each made in the context this was called in.

    A streamed body is read by the server after the view and the middlewares have returned: without this its
    queries would forget both ``replica_reads()`` and the person's read-your-writes mark.
    """
    context = contextvars.copy_context()  # now, not at the first item (a generator's body waits for it)

    def each() -> Iterator[T]:
        while True:
            try:
                item = context.run(next, items)
            except StopIteration:
                return
            yield item

    return each()


class ReplicaHealth:
    """Whether the replica may serve reads: checked at most every REPLICA_CHECK_SECONDS per process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._checked_at: dict[str, float] = {}
        self._usable: dict[str, bool] = {}

    def usable(self, alias: str) -> bool:
        now = self._clock()
        with self._lock:
            checked_at = self._checked_at.get(alias)
            if checked_at is not None and now - checked_at < settings.REPLICA_CHECK_SECONDS:
                return self._usable[alias]
            # Claim the check: the other threads use the last answer meanwhile (or the primary, the first time).
            self._checked_at[alias] = now
            self._usable.setdefault(alias, False)
        usable = self._check(alias)
        with self._lock:
            if usable != self._usable[alias]:
                logger.warning("replica %s is %s", alias, "in use" if usable else "skipped: reads go to the primary")
            self._usable[alias] = usable
        return usable

    def forget(self) -> None:
        with self._lock:
            self._checked_at.clear()
            self._usable.clear()

    def _check(self, alias: str) -> bool:
        try:
            lag = replica_lag_seconds(alias)
        except DatabaseError as error:
            logger.warning("replica %s did not answer: %s", alias, error)
            connections[alias].close()  # a later check connects afresh
            return False
        if lag > settings.REPLICA_MAX_LAG_SECONDS:
            logger.warning("replica %s is %.1f s behind (limit %s s)", alias, lag, settings.REPLICA_MAX_LAG_SECONDS)
            return False
        return True


def replica_lag_seconds(alias: str) -> float:
    """How far the replica is behind the primary; 0 where the engine has no replication to ask about."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        connection.ensure_connection()
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute(LAG_QUERY)
        row = cursor.fetchone()
    return float(row[0]) if row else 0.0


replica_health = ReplicaHealth()


def _primary_in_own_transaction() -> bool:
    # A test case's own transaction wraps every test: only a transaction the code opened counts.
    blocks = connections[DEFAULT_DB_ALIAS].atomic_blocks
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


def read_alias() -> str | None:
    """The alias this read should use: the replica's, or None for the primary (Django's default)."""
    alias: str | None = settings.REPLICA_DATABASE
    if alias is None or not _replica_wanted.get() or _primary_required.get():
        return None
    if _primary_in_own_transaction() or not replica_health.usable(alias):
        return None
    return alias


class ReplicaRouter:
    """Django's database router (settings.DATABASE_ROUTERS, only when a replica is configured)."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return read_alias()

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows: a row read from either may point at the other's

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica follows the primary's schema by replication


class ReadYourWritesMiddleware:
    """A browser that wrote (a request other than GET or HEAD that succeeded) reads from the primary for a while.

    The mark is a signed, timestamped cookie: every app server can read it, and it costs no query or shared
    state. Forging one only sends its bearer's own reads to the primary. Not used without a replica.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        if settings.REPLICA_DATABASE is None:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _primary_required.set(_wrote_recently(request))
        try:
            response = self.get_response(request)
        finally:
            _primary_required.reset(token)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_signed_cookie(
                sticky_cookie_name(),
                "1",
                salt=STICKY_SALT,
                max_age=settings.REPLICA_STICKY_SECONDS,
                path="/",
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


def sticky_cookie_name() -> str:
    # The __Host- prefix where cookies are Secure (production), as the session's and CSRF cookies have.
    return "__Host-iptriad-wrote" if settings.SESSION_COOKIE_SECURE else "iptriad-wrote"


def _wrote_recently(request: HttpRequest) -> bool:
    try:
        request.get_signed_cookie(sticky_cookie_name(), salt=STICKY_SALT, max_age=settings.REPLICA_STICKY_SECONDS)
    except (KeyError, BadSignature):
        return False
    return True
