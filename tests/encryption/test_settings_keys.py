"""Production refuses to start without a valid ring; development generates one key, once, readable by its owner."""

from __future__ import annotations

import stat

import pytest

from iptriad.encryption.keys import parse_keyring
from tests.encryption.keyrings import KEY_A
from tests.test_settings import PRODUCTION, run_iptriad

# Commands in a clean environment, on a SQLite file of their own: the same whatever database the suite runs on.
pytestmark = pytest.mark.database_independent


def test_production_refuses_to_start_without_keys(tmp_path):
    variables = {k: v for k, v in PRODUCTION.items() if k != "IPTRIAD_ENCRYPTION_KEYS"}
    result = run_iptriad("check", tmp_path=tmp_path, **variables)
    assert result.returncode == 2
    assert result.stderr.strip() == "iptriad: configuration error: IPTRIAD_ENCRYPTION_KEYS must be set"
    assert not (tmp_path / "encryption_keys").exists()


def test_a_malformed_ring_stops_the_start_with_one_line(tmp_path):
    result = run_iptriad("check", tmp_path=tmp_path, **{**PRODUCTION, "IPTRIAD_ENCRYPTION_KEYS": f"{KEY_A},{KEY_A}"})
    assert result.returncode == 2
    assert result.stderr.strip() == "iptriad: configuration error: IPTRIAD_ENCRYPTION_KEYS names key id 'a' twice"


@pytest.mark.slow  # over ten seconds: `make test` runs it, `make test-fast` leaves it out
def test_development_generates_one_key_into_the_data_directory_for_its_owner_only(tmp_path):
    assert run_iptriad("migrate", tmp_path=tmp_path).returncode == 0
    key_file = tmp_path / "encryption_keys"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    ring = parse_keyring(key_file.read_text())
    checked = run_iptriad("rotate-keys", "--check", tmp_path=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert f"Current key: {ring.current_id}" in checked.stdout
    assert "courses.coursesession.note: no values; 0 to re-encrypt" in checked.stdout
    assert parse_keyring(key_file.read_text()) == ring


def test_new_key_prints_an_entry_that_production_accepts_even_before_any_key_is_set(tmp_path):
    without_keys = {k: v for k, v in PRODUCTION.items() if k != "IPTRIAD_ENCRYPTION_KEYS"}
    printed = run_iptriad("rotate-keys", "--new-key", tmp_path=tmp_path, **without_keys).stdout.strip()
    assert len(parse_keyring(printed).current_key) == 32
    result = run_iptriad(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
        **{**PRODUCTION, "IPTRIAD_ENCRYPTION_KEYS": printed},
    )
    assert result.returncode == 0, result.stderr
