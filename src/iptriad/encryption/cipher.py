"""Authenticated encryption of one text value: AES-256-GCM, a random 96-bit nonce, the column as associated data.

Stored form: `enc1:<key-id>:<base64url(nonce || ciphertext+tag)>`. The associated data is the column's identity
(`app_label.model.field`), so a value copied into another column fails to decrypt instead of being shown there.
The empty string is stored as itself: "nothing written" stays queryable (`field=""`) and reveals nothing new.
"""

from __future__ import annotations

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from iptriad.encryption.keys import Keyring

PREFIX = "enc1"
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value could not be decrypted; the message names the column and key id, never the content."""


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX + ":")


def key_id_of(stored: str) -> str | None:
    """The key id an encrypted value was written with; None for the empty string and legacy plaintext."""
    if not is_encrypted(stored):
        return None
    return stored.split(":", 2)[1]


def encrypt(plaintext: str, *, identity: str, keyring: Keyring) -> str:
    if plaintext == "":
        return ""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(keyring.current_key).encrypt(nonce, plaintext.encode("utf-8"), identity.encode("ascii"))
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
    return f"{PREFIX}:{keyring.current_id}:{body}"


def decrypt(stored: str, *, identity: str, keyring: Keyring) -> str:
    """The plaintext; a value without the prefix is legacy plaintext, written before encryption, and passes through."""
    if not is_encrypted(stored):
        return stored
    parts = stored.split(":", 2)
    if len(parts) != 3:
        raise DecryptionError(f"{identity}: malformed encrypted value")
    _, key_id, body = parts
    key = keyring.keys.get(key_id)
    if key is None:
        raise DecryptionError(
            f"{identity}: value is encrypted with key id {key_id!r}, which IPTRIAD_ENCRYPTION_KEYS does not hold"
        )
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise DecryptionError(f"{identity}: malformed encrypted value (key id {key_id!r})") from None
    if len(raw) < NONCE_BYTES + 16:
        raise DecryptionError(f"{identity}: malformed encrypted value (key id {key_id!r})")
    try:
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], identity.encode("ascii"))
    except InvalidTag:
        raise DecryptionError(
            f"{identity}: value failed authentication with key id {key_id!r} (altered, or moved from another column)"
        ) from None
    return plain.decode("utf-8")
