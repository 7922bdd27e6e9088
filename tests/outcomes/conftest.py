from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import transaction

from iptriad.flags import signals as flags_signals
from iptriad.outcomes import signals


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Callable[..., Any]) -> Callable[[], Any]:
    """Run the block's on-commit callbacks as its commit would (as tests/flags/conftest.py): the refreshes the test's
    set-up registered are forgotten, so the block's writes register their own."""

    @contextmanager
    def block() -> Iterator[list[Callable[[], None]]]:
        setattr(transaction.get_connection(), flags_signals._ATTRIBUTE, None)
        setattr(transaction.get_connection(), signals._ATTRIBUTE, None)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    return block
