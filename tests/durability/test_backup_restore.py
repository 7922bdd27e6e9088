"""The restore drill: real data backed up, restored into a fresh database, and found whole.

The backup is made in this process from the test database; the restore runs as an operator runs it, as
`iptriad restore` in a new process against a fresh database (a new SQLite file, or a new PostgreSQL database
on the same server).
"""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from iptriad.audit.models import AuditAction, AuditChainHead, AuditEvent
from iptriad.backups import postgres
from iptriad.backups.manifest import FORMAT_VERSION, BackupError, manifest_path_for, sha256_of
from iptriad.backups.services import BackupResult, backup_create, backup_restore, backup_verify, row_counts_now
from iptriad.encryption.keys import new_key_entry
from iptriad.measures.models import Administration
from tests.conftest import Personas
from tests.courses.factories import full_course, termination_records
from tests.durability.helpers import (
    assert_audit_chain_verifies,
    fresh_database,
    last_audit_action,
    row_counts_of,
    run_iptriad,
)
from tests.measures.factories import clinical_objects

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads only what is committed


@pytest.fixture
def clinic(personas: Personas) -> Personas:
    """Both organisations' people, a full IPT course with its ending, measures, alerts and links, and audit events."""
    records = full_course(personas.client_a, personas.therapist_a)
    termination_records(records.course)
    clinical_objects(personas)
    assert AuditEvent.objects.exists()
    return personas


def backed_up(directory: Path) -> BackupResult:
    return backup_create(output=directory / "drill")


def test_the_restore_drill_brings_back_every_row_in_a_fresh_database(clinic, tmp_path):
    counts_before = row_counts_now()
    backup = backed_up(tmp_path)
    assert backup.manifest.row_counts == counts_before
    assert counts_before["courses_course"] == 1
    assert counts_before["measures_administrationanswer"] == 2 * 9
    with fresh_database(tmp_path) as database_url:
        restored = run_iptriad(["restore", str(backup.dump)], database_url=database_url, data_dir=tmp_path)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert f"Checksum verified: SHA-256 {backup.manifest.dump_sha256}" in restored.stdout
        assert f"Row counts: all {len(counts_before)} tables match the manifest" in restored.stdout
        assert f"Audit chain: intact, {counts_before['audit_auditevent']} events in " in restored.stdout
        counts_after = row_counts_of(database_url)
        assert last_audit_action(database_url) == AuditAction.BACKUP_RESTORED
    # The restore records itself in the audit trail, once everything checked out: one event on the system chain,
    # which starts there when the backup had no event without an organisation.
    system_chain_started = AuditChainHead.SYSTEM_CHAIN not in {
        head["chain"] for head in backup.manifest.audit_chain_heads
    }
    assert counts_after == {
        **counts_before,
        "audit_auditevent": counts_before["audit_auditevent"] + 1,
        "audit_auditchainhead": counts_before["audit_auditchainhead"] + system_chain_started,
    }


def test_the_restored_audit_chain_verifies(clinic, tmp_path):
    backup = backed_up(tmp_path)
    events = backup.manifest.row_counts["audit_auditevent"]
    with fresh_database(tmp_path) as database_url:
        restored = run_iptriad(["restore", str(backup.dump)], database_url=database_url, data_dir=tmp_path)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        chains = len(backup.manifest.audit_chain_heads)
        assert f"Audit chain: intact, {events} events in {chains} chains verified" in restored.stdout
        # Afterwards, with the restore's own event appended to the system chain, the trail still verifies.
        summary = assert_audit_chain_verifies(database_url=database_url, data_dir=tmp_path)
        chains_after = len(
            {head["chain"] for head in backup.manifest.audit_chain_heads} | {AuditChainHead.SYSTEM_CHAIN}
        )
        assert summary.startswith(f"The audit trail is intact: {events + 1} events in {chains_after} chains checked")


def test_a_restore_without_the_backups_encryption_keys_fails_its_checks(clinic, tmp_path):
    backup = backed_up(tmp_path)
    other_keys = {"IPTRIAD_ENCRYPTION_KEYS": new_key_entry()}
    with fresh_database(tmp_path) as database_url:
        restored = run_iptriad(
            ["restore", str(backup.dump)], database_url=database_url, data_dir=tmp_path, env=other_keys
        )
        assert restored.returncode != 0
        assert "values cannot be decrypted with IPTRIAD_ENCRYPTION_KEYS" in restored.stdout
        assert "courses.coursesession.note" in restored.stdout or "courses.assessment." in restored.stdout
        assert "failed its checks" in restored.stderr
        # With the keys the backup was written under, every encrypted note reads back.
        again = run_iptriad(["restore", "--force", str(backup.dump)], database_url=database_url, data_dir=tmp_path)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "Encrypted notes: all " in again.stdout


def test_a_tampered_backup_is_refused_and_the_database_is_left_alone(clinic, tmp_path):
    backup = backed_up(tmp_path)
    data = bytearray(backup.dump.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit
    backup.dump.write_bytes(bytes(data))
    with fresh_database(tmp_path) as database_url:
        refused = run_iptriad(["restore", str(backup.dump)], database_url=database_url, data_dir=tmp_path)
        assert refused.returncode == 1
        assert "does not match its manifest" in refused.stderr
        assert "Nothing was restored." in refused.stderr
        assert not any(row_counts_of(database_url).values())


def test_restoring_over_data_needs_force(clinic, tmp_path):
    backup = backed_up(tmp_path)
    with fresh_database(tmp_path) as database_url:
        first = run_iptriad(["restore", str(backup.dump)], database_url=database_url, data_dir=tmp_path)
        assert first.returncode == 0, first.stdout + first.stderr
        counts = row_counts_of(database_url)
        again = run_iptriad(["restore", str(backup.dump)], database_url=database_url, data_dir=tmp_path)
        assert again.returncode == 1
        assert "already holds data" in again.stderr
        assert "--force" in again.stderr
        assert row_counts_of(database_url) == counts
        forced = run_iptriad(["restore", "--force", str(backup.dump)], database_url=database_url, data_dir=tmp_path)
        assert forced.returncode == 0, forced.stdout + forced.stderr
        # The database is the backup again (plus the new restore event), not the backup twice over.
        assert row_counts_of(database_url) == counts | {"audit_auditevent": counts["audit_auditevent"]}


def test_a_backup_is_private_and_its_manifest_describes_it(clinic, tmp_path, capsys):
    call_command("backup", output=tmp_path)
    printed = capsys.readouterr().out
    (dump,) = [path for path in tmp_path.iterdir() if not path.name.endswith(".manifest.json")]
    manifest_file = manifest_path_for(dump)
    manifest = json.loads(manifest_file.read_text())
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600
    assert stat.S_IMODE(manifest_file.stat().st_mode) == 0o600
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["dump_sha256"] == sha256_of(dump)
    assert manifest["dump_bytes"] == dump.stat().st_size
    assert manifest["row_counts"]["clients_client"] == 2
    assert manifest["row_counts"]["measures_administration"] == Administration.objects.count()
    applied = MigrationRecorder.Migration.objects.filter(app="clients").order_by("name").last()
    assert applied is not None
    assert manifest["migrations"]["clients"] == applied.name
    assert manifest["created_at"].endswith("Z")
    assert str(dump) in printed
    assert manifest["dump_sha256"] in printed
    event = AuditEvent.objects.filter(action=AuditAction.BACKUP_CREATED).get()
    assert event.detail["sha256"] == manifest["dump_sha256"]


def test_a_backup_without_its_manifest_is_refused(clinic, tmp_path):
    backup = backed_up(tmp_path)
    backup.manifest_path.unlink()
    with pytest.raises(BackupError, match="No manifest"):
        backup_verify(backup.dump)


def test_a_truncated_backup_is_refused(clinic, tmp_path):
    backup = backed_up(tmp_path)
    with backup.dump.open("r+b") as stream:
        stream.truncate(backup.manifest.dump_bytes // 2)
    with pytest.raises(BackupError, match="does not match its manifest"):
        backup_verify(backup.manifest_path)  # the manifest's name leads to the same dump


def test_an_existing_backup_is_never_overwritten(clinic, tmp_path):
    backup = backed_up(tmp_path)
    with pytest.raises(BackupError, match="already exists"):
        backup_create(output=backup.dump)
    assert backup_verify(backup.dump)[1] == backup.manifest


def test_a_backup_of_another_database_kind_is_refused(clinic, tmp_path):
    backup = backed_up(tmp_path)
    manifest = json.loads(backup.manifest_path.read_text())
    other = "postgresql" if manifest["database_vendor"] == "sqlite" else "sqlite"
    backup.manifest_path.write_text(json.dumps({**manifest, "database_vendor": other}))
    with pytest.raises(BackupError, match=f"This is a {other} backup"):
        backup_restore(path=backup.dump)


def test_a_missing_pg_dump_is_named_with_what_to_install(monkeypatch):
    monkeypatch.setattr("iptriad.backups.postgres.shutil.which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump was not found on PATH: install the PostgreSQL client tools"):
        postgres.dump_into(Path("unused"))


def test_a_backup_that_cannot_be_written_leaves_nothing_behind(clinic, tmp_path, monkeypatch):
    def disk_full(path: Path) -> str:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("iptriad.backups.services.sha256_of", disk_full)
    with pytest.raises(BackupError, match=r"could not be written \(\[Errno 28\] No space left on device\)"):
        backup_create(output=tmp_path / "full")
    assert list(tmp_path.iterdir()) == []


def test_backup_into_a_new_directory_named_with_a_slash(clinic, tmp_path, capsys):
    call_command("backup", output=f"{tmp_path}/nightly/")
    (dump,) = [path for path in (tmp_path / "nightly").iterdir() if not path.name.endswith(".manifest.json")]
    assert stat.S_IMODE((tmp_path / "nightly").stat().st_mode) == 0o700
    assert backup_verify(dump)[0] == dump


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's file swap")
def test_a_sqlite_database_still_open_elsewhere_is_not_swapped(clinic, tmp_path):
    backup = backed_up(tmp_path)
    with fresh_database(tmp_path) as database_url:
        first = run_iptriad(["restore", str(backup.dump)], database_url=database_url, data_dir=tmp_path)
        assert first.returncode == 0, first.stdout + first.stderr
        counts = row_counts_of(database_url)
        server = sqlite3.connect(database_url.removeprefix("sqlite:///"))  # as a running server would hold it
        try:
            server.execute("SELECT COUNT(*) FROM clients_client").fetchone()
            command = ["restore", "--force", str(backup.dump)]
            refused = run_iptriad(command, database_url=database_url, data_dir=tmp_path)
        finally:
            server.close()
        assert refused.returncode == 1
        assert "is in use" in refused.stderr
        assert "stop the iptriad server" in refused.stderr
        assert row_counts_of(database_url) == counts


def test_a_backup_from_an_older_version_is_restored_and_asks_for_migrate(clinic, tmp_path):
    recorder = MigrationRecorder(connection)
    latest = recorder.migration_qs.filter(app="clients").order_by("name").last()
    assert latest is not None
    latest.delete()  # the backup now looks as if made before the latest clients migration
    try:
        backup = backed_up(tmp_path)
    finally:
        recorder.record_applied("clients", latest.name)
    with fresh_database(tmp_path) as database_url:
        restored = run_iptriad(["restore", str(backup.dump)], database_url=database_url, data_dir=tmp_path)
        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert "Note: 1 migrations of this version are not applied yet: run `iptriad migrate`" in restored.stdout
        # The restore event waits for a schema this version knows.
        assert last_audit_action(database_url) != AuditAction.BACKUP_RESTORED
