"""Bearer secrets (self-report links, API tokens): only a fingerprint is ever stored."""

from __future__ import annotations

import hashlib


def token_hash(token: str) -> str:
    # A token carries 256 random bits, so a fast hash suffices: there is nothing to guess offline.
    return hashlib.sha256(token.encode()).hexdigest()
