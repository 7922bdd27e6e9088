"""Keys for the encryption tests: two fixed AES-256 keys and rings made of them."""

from __future__ import annotations

from iptriad.encryption.keys import encode_key, parse_keyring

KEY_A = "a:" + encode_key(bytes(range(32)))
KEY_B = "b:" + encode_key(bytes(range(100, 132)))
RING_A = parse_keyring(KEY_A)
RING_B_THEN_A = parse_keyring(f"{KEY_B},{KEY_A}")
RING_B = parse_keyring(KEY_B)
