"""Test data written once and shared by many tests, as Django's TestCase.setUpTestData shares it within a class.

The data is written inside a transaction held open while the tests that share it run, and rolled back after the
last one, so nothing of it outlives them. Each test still runs in its own transaction (pytest-django's `db` opens
a savepoint inside the shared one and rolls the test's writes back), and gets its own deep copy of the Python
objects, so an instance changed by one test is not seen changed by the next.

A transaction held open between tests must never be open under a test that does not run in a test transaction:
one that commits for real (`transactional_db`, `live_server`: another connection must see its rows, and the flush
after it would empty the shared rows too) or one without the database (it may start a process that writes to the
same database). pytest-django runs those after all the others; `roll_back_before(item)` closes what is still open
when the first of them starts. A test that closes the connection ends the shared transaction with it
(`roll_back_if_closed`); the tests after it write their own data.
"""

from __future__ import annotations

import pickle
from types import TracebackType
from typing import Any, ClassVar, TypeVar

import pytest
from django.db import connection, transaction
from pytest_django import DjangoDbBlocker

T = TypeVar("T")

_COPIES = pytest.StashKey[dict[int, Any]]()  # a test's copies, by the id of the shared object


def runs_in_a_test_transaction(item: pytest.Item) -> bool:
    """Whether pytest-django runs this test inside a transaction it rolls back (`db`, `django_db` without
    `transaction=True`), as its own ordering of the tests decides (pytest_django.plugin.pytest_collection_modifyitems).
    """
    fixtures = getattr(item, "fixturenames", ())
    marker = item.get_closest_marker("django_db")
    commits = "transactional_db" in fixtures or "live_server" in fixtures
    if marker is not None:
        commits = commits or bool(marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    return (marker is not None or "db" in fixtures) and not commits


class SharedTransaction:
    """A transaction on the default database held open across tests, rolled back when it is left."""

    _open: ClassVar[list[SharedTransaction]] = []

    def __init__(self, blocker: DjangoDbBlocker) -> None:
        self._blocker = blocker
        self._atomic = transaction.atomic()

    def __enter__(self) -> SharedTransaction:
        with self._blocker.unblock():
            self._atomic.__enter__()
        SharedTransaction._open.append(self)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.roll_back()

    @property
    def is_open(self) -> bool:
        return self in SharedTransaction._open

    def roll_back(self) -> None:
        """Roll back this transaction, and first every shared transaction opened inside it since."""
        if not self.is_open:
            return
        for inner in reversed(SharedTransaction._open[SharedTransaction._open.index(self) + 1 :]):
            inner.roll_back()
        SharedTransaction._open.remove(self)
        if self._atomic not in connection.atomic_blocks:
            return  # the connection was closed under it, which discarded the transaction already
        with self._blocker.unblock():
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)

    @classmethod
    def any_open(cls) -> bool:
        return bool(cls._open)

    @classmethod
    def roll_back_if_closed(cls) -> None:
        """After a test that closed the connection under the shared transaction (Django's management commands do,
        run through their command line on PostgreSQL), end it so the connection can open again: the tests that
        follow write their own data instead."""
        if connection.closed_in_transaction:
            for shared in reversed(cls._open):
                shared.roll_back()

    @classmethod
    def roll_back_before(cls, item: pytest.Item) -> None:
        """Close every shared transaction still open, unless the test runs inside a test transaction of its own."""
        if not runs_in_a_test_transaction(item):
            for shared in reversed(cls._open):
                shared.roll_back()


def copy_for_test(request: pytest.FixtureRequest, shared: T, *companions: object) -> T:
    """The test's own deep copy of shared objects.

    Copied by unpickling the objects pickled once, not by `copy.deepcopy` per test: a tenth of the time (the matrix's
    objects took 4.6 ms a test, thousands of times a run). The companions are copied with them, in one unpickling,
    so that an instance they share (a user the objects refer to) stays one instance in the test's copies; a later
    call for a companion gets the copy already made.
    """
    copies = request.node.stash.setdefault(_COPIES, {})
    if id(shared) not in copies:
        roots = (shared, *companions)
        # Pickled by this process from its own test data a moment ago: nothing from outside is unpickled.
        unpickled = pickle.loads(_pickled(roots))  # noqa: S301
        for root, copy in zip(roots, unpickled, strict=True):
            copies.setdefault(id(root), copy)
    copied: T = copies[id(shared)]
    return copied


_PICKLED: list[tuple[tuple[object, ...], bytes]] = []  # the few shared sets in use, newest last (they hold the roots)


def _pickled(roots: tuple[object, ...]) -> bytes:
    for kept, pickled in _PICKLED:
        if len(kept) == len(roots) and all(a is b for a, b in zip(kept, roots, strict=True)):
            return pickled
    pickled = pickle.dumps(roots, protocol=pickle.HIGHEST_PROTOCOL)
    _PICKLED.append((roots, pickled))
    del _PICKLED[:-4]  # the demo's, and a module's personas with and without its objects
    return pickled
