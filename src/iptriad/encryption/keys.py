"""The keyring: AES-256 keys named by short ids, read from IPTRIAD_ENCRYPTION_KEYS (docs/operators/encryption.md).

Kept free of Django so settings.py can validate the variable at start-up. The first key encrypts; every key in the
ring decrypts, so a new key can be rolled out before `iptriad rotate-keys` moves the rows onto it.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from iptriad.env import ConfigurationError

VARIABLE = "IPTRIAD_ENCRYPTION_KEYS"
KEY_BYTES = 32  # AES-256
# Ids appear in every stored value (`enc1:<id>:...`), so they stay short and never contain the separator.
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class Keyring:
    """The keys by id, in the operator's order; `current_id` names the one that encrypts."""

    current_id: str
    keys: dict[str, bytes]

    @property
    def current_key(self) -> bytes:
        return self.keys[self.current_id]


def decode_key(encoded: str) -> bytes:
    """Standard or URL-safe base64, padded or not."""
    text = encoded.strip().replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    return base64.b64decode(text, validate=True)


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode("ascii").rstrip("=")


def parse_keyring(raw: str) -> Keyring:
    """`id:base64key,id:base64key,...`; the messages name the entry by its id, never by its key."""
    entries = [entry.strip() for entry in raw.split(",") if entry.strip()]
    if not entries:
        raise ConfigurationError(f"{VARIABLE} must hold at least one key-id:base64-key entry")
    keys: dict[str, bytes] = {}
    for position, entry in enumerate(entries, start=1):
        key_id, separator, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not separator or not encoded.strip():
            raise ConfigurationError(f"{VARIABLE} entry {position} must look like key-id:base64-key")
        if not KEY_ID_PATTERN.fullmatch(key_id):
            raise ConfigurationError(
                f"{VARIABLE} entry {position}: a key id is 1-32 letters, digits, '-' or '_', not {key_id!r}"
            )
        if key_id in keys:
            raise ConfigurationError(f"{VARIABLE} names key id {key_id!r} twice")
        try:
            key = decode_key(encoded)
        except (binascii.Error, ValueError):
            raise ConfigurationError(f"{VARIABLE} key {key_id!r} is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise ConfigurationError(f"{VARIABLE} key {key_id!r} must be {KEY_BYTES} bytes (256 bits), not {len(key)}")
        keys[key_id] = key
    return Keyring(current_id=next(iter(keys)), keys=keys)


@lru_cache(maxsize=8)
def cached_keyring(raw: str) -> Keyring:
    """Parsed once per distinct setting value (tests switch keyrings with override_settings)."""
    return parse_keyring(raw)


def new_key_entry(now: datetime | None = None) -> str:
    """A fresh `id:key` entry; the id carries the date so operators can tell keys apart by age."""
    moment = now or datetime.now(tz=UTC)
    key_id = f"k{moment:%Y%m%d}-{secrets.token_hex(2)}"
    return f"{key_id}:{encode_key(secrets.token_bytes(KEY_BYTES))}"
