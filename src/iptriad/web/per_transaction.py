"""Work done once per transaction, after it commits, over everything its writes noted.

Signal receivers that keep derived rows (the not-on-track flags, the outcome rows) note what each write touched;
the derived rows are refreshed once, after the commit, outside the clinical write, so a failure there never undoes
it. A set left by a transaction that rolled back (its callback discarded with it) is replaced; outside a transaction
the write has committed already, so the work runs at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, transaction

T = TypeVar("T")


class PerTransaction(Generic[T]):
    """Collects into one ``T`` (made by ``make``) what a transaction's writes noted, and calls ``run`` with it once
    after the transaction commits. ``attribute`` names where the open collection is kept on the connection."""

    def __init__(self, attribute: str, make: Callable[[], T], run: Callable[[T], None]) -> None:
        self.attribute = attribute
        self.make = make
        self.run = run

    def note(self, add: Callable[[T], object]) -> None:
        connection = transaction.get_connection(DEFAULT_DB_ALIAS)
        if not connection.in_atomic_block:
            alone = self.make()
            add(alone)
            self.run(alone)
            return
        current: T | None = getattr(connection, self.attribute, None)
        if current is None or not any(
            getattr(callback, "collected", None) is current for _ids, callback, *_rest in connection.run_on_commit
        ):
            current = self.make()
            setattr(connection, self.attribute, current)
            transaction.on_commit(self._callback(connection, current), robust=True)
        add(current)

    def _callback(self, connection: Any, mine: T) -> Callable[[], None]:
        def run() -> None:
            if getattr(connection, self.attribute, None) is mine:
                setattr(connection, self.attribute, None)
            self.run(mine)

        run.collected = mine  # type: ignore[attr-defined]  # how `note` finds its own callback again
        return run
