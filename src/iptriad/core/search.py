"""Normalised search text, so "jose" finds "José" and a search never depends on the database's collation."""

from __future__ import annotations

import unicodedata

MAX_TERMS = 5


def fold(text: str) -> str:
    """Lower case, accents removed, runs of whitespace collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split())


def search_key(*parts: str) -> str:
    """The stored search text of a record: its folded parts, separated by spaces."""
    return " ".join(fold(part) for part in parts if part.strip())


def search_terms(query: str) -> list[str]:
    """The folded words of a query (at most MAX_TERMS; each must appear in the search text)."""
    return fold(query).split()[:MAX_TERMS]
