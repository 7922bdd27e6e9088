"""The demo, loaded once for all the tests that read it (the `demo` fixture); a plugin of tests/conftest.py.

Loading the demo takes seconds (ten or more on PostgreSQL), and a dozen tests of several features read it. The tests
that ask for `demo` run first, one after another (the collection hook below), and share one load, written in a
transaction held open across them and rolled back after the last (tests/shared_data.py): the tests after them find
the database empty, as they expect. Each test runs in its own transaction inside it, so what a test writes (a second
load, say) is rolled back before the next one.

The shared load is the outermost transaction: it starts before the first of these tests' module data
(`module_cast`), and rolling it back rolls back any module data opened inside it (the next test of that module
writes its own personas). A test that asks for `demo` where no shared load is open (it commits, or the connection
was closed under the load) loads the demo itself, in its own transaction, as the tests did before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar

import pytest
from pytest_django import DjangoDbBlocker

from iptriad.demo.data import DemoResult, demo_load
from tests.shared_data import SharedTransaction, copy_for_test, runs_in_a_test_transaction


@dataclass
class SharedDemo:
    """The first load's result, and the transaction that removes the demo after the last test reading it."""

    result: DemoResult
    shared: SharedTransaction

    current: ClassVar[SharedDemo | None] = None  # the load shared by the tests now running, if any


def reads_the_shared_demo(item: pytest.Item) -> bool:
    return "demo" in getattr(item, "fixturenames", ()) and runs_in_a_test_transaction(item)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    """Run the tests that read the demo first, in their collected order, so that one load serves them all."""
    yield  # pytest-django has sorted by database use: these are all in its first group, run in a test transaction
    items.sort(key=lambda item: not reads_the_shared_demo(item))  # stable: the other tests keep their order


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After the last test reading the demo (once its own transaction is rolled back), roll the demo back."""
    yield
    if SharedDemo.current is not None and (nextitem is None or not reads_the_shared_demo(nextitem)):
        SharedDemo.current.shared.roll_back()
        SharedDemo.current = None


@pytest.fixture(scope="session")
def demo_loaded_once(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """The shared load, made when the first test reading the demo starts (session-scoped: before its module data).

    Only as the outermost transaction: were another shared transaction open, its rollback would take the demo too.
    """
    if SharedTransaction.any_open():
        yield
        return
    with SharedTransaction(django_db_blocker) as shared:
        with django_db_blocker.unblock():
            SharedDemo.current = SharedDemo(demo_load(), shared)
        yield
    SharedDemo.current = None


@pytest.fixture
def demo(request: pytest.FixtureRequest, demo_loaded_once: None, db: None) -> DemoResult:
    """The demo in the database, and the result of loading it (a copy for this test)."""
    loaded = SharedDemo.current
    if loaded is not None and loaded.shared.is_open and runs_in_a_test_transaction(request.node):
        return copy_for_test(request, loaded.result)
    return demo_load()
