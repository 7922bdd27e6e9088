"""Who and what an event names, in the shapes the trail needs: audit imports nothing of the apps above it.

iptriad.accounts' Organisation and User are saved rows, and its Actor is one acting; the trail keeps only their
primary keys and the address the request came from.
"""

from __future__ import annotations

from typing import Any, Protocol


class SavedRow(Protocol):
    """A saved row of another app that an event names by primary key: an organisation, a user."""

    @property
    def pk(self) -> Any: ...


class Acting(Protocol):
    """Who acts, from a page, the API or the command line (no user)."""

    @property
    def organisation(self) -> SavedRow: ...

    @property
    def user(self) -> SavedRow | None: ...

    @property
    def ip_address(self) -> str | None: ...
