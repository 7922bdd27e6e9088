"""IPTRIAD_ENCRYPTION_KEYS is parsed strictly, and its messages never print a key."""

from __future__ import annotations

import base64

import pytest

from iptriad.encryption.keys import decode_key, encode_key, new_key_entry, parse_keyring
from iptriad.env import ConfigurationError
from tests.encryption.keyrings import KEY_A, KEY_B

SECRET_LOOKING = base64.b64encode(b"k" * 31).decode()


def test_the_first_entry_encrypts_and_all_decrypt():
    ring = parse_keyring(f" {KEY_B} , {KEY_A} ")
    assert ring.current_id == "b"
    assert list(ring.keys) == ["b", "a"]
    assert ring.current_key == bytes(range(100, 132))


def test_standard_and_url_safe_base64_with_or_without_padding_are_accepted():
    key = bytes([250, 251, 252, 253] * 8)
    for encoded in (base64.b64encode(key).decode(), base64.urlsafe_b64encode(key).decode(), encode_key(key)):
        assert decode_key(encoded) == key


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "must hold at least one key-id:base64-key entry"),
        (" , ", "must hold at least one key-id:base64-key entry"),
        ("justakey", "entry 1 must look like key-id:base64-key"),
        (f"{KEY_A},b:", "entry 2 must look like key-id:base64-key"),
        (f"bad id:{KEY_A[2:]}", "a key id is 1-32 letters, digits, '-' or '_', not 'bad id'"),
        (f"{'x' * 33}:{KEY_A[2:]}", "a key id is 1-32 letters"),
        (f"{KEY_A},{KEY_A}", "names key id 'a' twice"),
        ("a:not base64!", "key 'a' is not valid base64"),
        (f"a:{SECRET_LOOKING}", "key 'a' must be 32 bytes (256 bits), not 31"),
    ],
)
def test_a_malformed_ring_is_refused_with_a_message_naming_the_entry(raw, message):
    with pytest.raises(ConfigurationError, match="IPTRIAD_ENCRYPTION_KEYS") as error:
        parse_keyring(raw)
    assert message in str(error.value)
    assert SECRET_LOOKING not in str(error.value)


def test_a_new_key_entry_is_a_valid_ring_with_a_dated_id():
    first, second = new_key_entry(), new_key_entry()
    ring = parse_keyring(first)
    assert len(ring.current_key) == 32
    assert ring.current_id.startswith("k20")
    assert first != second
