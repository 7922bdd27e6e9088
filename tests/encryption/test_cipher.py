"""One value encrypted and decrypted: authenticated, bound to its column, never garbage on failure."""

from __future__ import annotations

import base64

import pytest

from iptriad.encryption.cipher import DecryptionError, decrypt, encrypt, is_encrypted, key_id_of
from tests.encryption.keyrings import RING_A, RING_B, RING_B_THEN_A

NOTE = "courses.coursesession.note"
TEXT = "Client described an argument with her mother; feels hopeless — 'no point'."


def test_it_round_trips_text_including_non_ascii():
    stored = encrypt(TEXT, identity=NOTE, keyring=RING_A)
    assert decrypt(stored, identity=NOTE, keyring=RING_A) == TEXT


def test_the_stored_token_is_versioned_names_its_key_and_hides_the_text():
    stored = encrypt(TEXT, identity=NOTE, keyring=RING_A)
    prefix, key_id, body = stored.split(":", 2)
    assert (prefix, key_id, key_id_of(stored)) == ("enc1", "a", "a")
    assert "hopeless" not in stored
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    assert len(raw) == 12 + len(TEXT.encode()) + 16  # nonce, ciphertext, GCM tag


def test_the_same_text_encrypts_differently_each_time():
    assert encrypt(TEXT, identity=NOTE, keyring=RING_A) != encrypt(TEXT, identity=NOTE, keyring=RING_A)


def test_the_empty_string_stays_empty():
    assert encrypt("", identity=NOTE, keyring=RING_A) == ""
    assert decrypt("", identity=NOTE, keyring=RING_A) == ""


def test_legacy_plaintext_is_read_as_it_is():
    assert not is_encrypted("Written before encryption")
    assert key_id_of("Written before encryption") is None
    assert decrypt("Written before encryption", identity=NOTE, keyring=RING_A) == "Written before encryption"


def test_the_first_key_encrypts_and_every_key_decrypts():
    old = encrypt(TEXT, identity=NOTE, keyring=RING_A)
    new = encrypt(TEXT, identity=NOTE, keyring=RING_B_THEN_A)
    assert (key_id_of(old), key_id_of(new)) == ("a", "b")
    assert decrypt(old, identity=NOTE, keyring=RING_B_THEN_A) == decrypt(new, identity=NOTE, keyring=RING_B_THEN_A)


def test_a_value_moved_to_another_column_fails_loudly():
    stored = encrypt(TEXT, identity=NOTE, keyring=RING_A)
    with pytest.raises(DecryptionError, match=r"courses\.goal\.text: value failed authentication with key id 'a'"):
        decrypt(stored, identity="courses.goal.text", keyring=RING_A)


@pytest.mark.parametrize("position", [6, 20, -1])
def test_a_tampered_value_fails_loudly(position):
    stored = encrypt(TEXT, identity=NOTE, keyring=RING_A)
    prefix_length = len("enc1:a:")
    body = bytearray(base64.urlsafe_b64decode(stored[prefix_length:] + "=="))
    body[position] ^= 0x01
    tampered = "enc1:a:" + base64.urlsafe_b64encode(bytes(body)).decode().rstrip("=")
    with pytest.raises(DecryptionError, match="failed authentication") as error:
        decrypt(tampered, identity=NOTE, keyring=RING_A)
    assert "hopeless" not in str(error.value)


def test_a_value_under_a_key_no_longer_in_the_ring_fails_loudly():
    stored = encrypt(TEXT, identity=NOTE, keyring=RING_A)
    with pytest.raises(DecryptionError, match="key id 'a', which IPTRIAD_ENCRYPTION_KEYS does not hold"):
        decrypt(stored, identity=NOTE, keyring=RING_B)


@pytest.mark.parametrize("stored", ["enc1:a", "enc1:a:", "enc1:a:!!!!", "enc1:a:AAAA"])
def test_a_malformed_value_fails_loudly(stored):
    with pytest.raises(DecryptionError, match="malformed encrypted value"):
        decrypt(stored, identity=NOTE, keyring=RING_A)
