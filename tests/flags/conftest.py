from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import transaction

from iptriad.flags import signals


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[[], Any]:
    """Run the block's on-commit callbacks as its commit would. The test's own transaction never commits, so the
    refresh registered by the test's set-up writes is still pending: forget it, so the block's writes register
    their own (in production every transaction commits or rolls back, and its set goes with it)."""

    @contextmanager
    def block() -> Iterator[list[Callable[[], None]]]:
        setattr(transaction.get_connection(), signals._ATTRIBUTE, None)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return block
