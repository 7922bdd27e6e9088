"""The replica router: reports and exports read from the replica, everything else from the primary; a person who
just wrote reads from the primary for a while; a replica that lags or is down is skipped (decision 0043).

The "replica" here is the test database itself (its connection under a second alias): what is tested is where
each read is sent, which `read_alias` tells.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import MiddlewareNotUsed
from django.db import OperationalError, connections, router, transaction
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.test import RequestFactory
from django.urls import reverse

from iptriad.accounts.models import Organisation
from iptriad.web import replica
from iptriad.web.replica import ReadYourWritesMiddleware, read_alias, replica_reads, sticky_cookie_name
from tests.conftest import logged_in
from tests.outcomes.builders import outcome_row

pytestmark = pytest.mark.django_db

QUERY = {"start": "2026-01-01", "end": "2026-12-31"}


@pytest.fixture
def with_replica(settings, monkeypatch) -> Iterator[list[str | None]]:
    """A configured replica that is the test database; yields the list of every read's routing decision."""
    settings.REPLICA_DATABASE = "replica"
    settings.DATABASE_ROUTERS = ["iptriad.web.replica.ReplicaRouter"]
    # The module's shared data is written in a transaction of the tests' (tests/shared_data.py): like the test
    # case's own, it is no transaction of the code's.
    for block in connections["default"].atomic_blocks:
        monkeypatch.setattr(block, "_from_testcase", True)
    connections["replica"] = connections["default"]
    replica.replica_health.forget()
    decisions: list[str | None] = []

    def recorded() -> str | None:
        alias = read_alias()
        decisions.append(alias)
        return alias

    monkeypatch.setattr(replica.ReplicaRouter, "db_for_read", lambda self, model, **hints: recorded())
    yield decisions
    del connections["replica"]
    replica.replica_health.forget()


def test_without_a_replica_every_read_is_the_primarys():
    with replica_reads():
        assert read_alias() is None
        assert router.db_for_read(Organisation) == "default"
    with pytest.raises(MiddlewareNotUsed):
        ReadYourWritesMiddleware(lambda request: HttpResponse())


def test_only_the_reads_asked_for_go_to_the_replica_and_writes_never_do(with_replica):
    assert router.db_for_read(Organisation) == "default"  # an ordinary page's read
    with replica_reads():
        assert router.db_for_read(Organisation) == "replica"
        assert router.db_for_write(Organisation) == "default"
        # Inside a transaction of the code's own, the primary's uncommitted writes are only on the primary.
        with transaction.atomic():
            assert router.db_for_read(Organisation) == "default"


def test_the_report_and_its_downloads_read_from_the_replica(with_replica, personas):
    for _ in range(6):
        outcome_row(personas.org_a, therapist=personas.therapist_a, phq9=(18, 4))
    supervisor = logged_in(personas.supervisor_a)
    with_replica.clear()
    assert supervisor.get(reverse("outcomes"), QUERY).status_code == 200
    assert "replica" in with_replica
    with_replica.clear()
    rows = supervisor.get(reverse("outcomes-rows-csv"), QUERY)
    assert "replica" not in with_replica  # nothing read yet: the rows are read as the body streams
    assert len(b"".join(rows.streaming_content).decode().splitlines()) == 7  # type: ignore[attr-defined]
    assert "replica" in with_replica


def test_a_page_that_is_no_report_reads_from_the_primary(with_replica, personas):
    with_replica.clear()
    assert logged_in(personas.therapist_a).get(reverse("home")).status_code == 200
    assert with_replica
    assert set(with_replica) == {None}


def _middleware_seen(request) -> tuple[HttpResponseBase, str | None]:
    seen: list[str | None] = []

    def view(request):
        with replica_reads():
            seen.append(read_alias())
        return HttpResponse(status=302 if request.method == "POST" else 200)

    return ReadYourWritesMiddleware(view)(request), seen[0]


def test_after_a_write_the_writers_reads_stay_on_the_primary_for_the_sticky_window(with_replica, settings):
    settings.REPLICA_STICKY_SECONDS = 5
    factory = RequestFactory()
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        response, alias = _middleware_seen(factory.post("/anything/"))
        assert alias == "replica"  # the write's own request had not written before
        cookie = response.cookies[sticky_cookie_name()]
        assert cookie["max-age"] == 5
        assert cookie["httponly"]

        request = factory.get("/outcomes/")
        request.COOKIES[sticky_cookie_name()] = cookie.value
        response, alias = _middleware_seen(request)
        assert alias is None
        assert sticky_cookie_name() not in response.cookies  # a read does not extend the window

        clock.shift(6)
        assert _middleware_seen(request)[1] == "replica"
        # Someone else, or a forged mark: the replica.
        request.COOKIES[sticky_cookie_name()] = "1:forged:mark"
        assert _middleware_seen(request)[1] == "replica"


def test_a_refused_write_does_not_mark_the_writer(with_replica):
    middleware = ReadYourWritesMiddleware(lambda request: HttpResponse(status=400))
    assert sticky_cookie_name() not in middleware(RequestFactory().post("/anything/")).cookies


def test_a_replica_that_is_down_or_lagging_is_skipped_until_a_later_check(with_replica, settings, monkeypatch):
    settings.REPLICA_MAX_LAG_SECONDS = 10
    settings.REPLICA_CHECK_SECONDS = 2
    now = [100.0]
    health = replica.ReplicaHealth(clock=lambda: now[0])
    monkeypatch.setattr(replica, "replica_health", health)
    answers: list[float | Exception] = [OperationalError("connection refused"), 30.0, 0.5]
    checks: list[int] = []

    def lag(alias: str) -> float:
        checks.append(1)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(replica, "replica_lag_seconds", lag)
    with replica_reads():
        assert read_alias() is None  # down: the primary, no error
        assert read_alias() is None
        assert len(checks) == 1  # not asked again within the check interval
        now[0] += 2
        assert read_alias() is None  # 30 s behind: skipped
        now[0] += 2
        assert read_alias() == "replica"  # caught up
        assert read_alias() == "replica"
        assert len(checks) == 3


def test_the_lag_of_a_database_that_is_no_replica_is_none():
    assert replica.replica_lag_seconds("default") == 0.0
