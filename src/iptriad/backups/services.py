"""Backing up the whole database beside a checksummed manifest, and restoring it with every check.

A backup is written under a temporary name and renamed once it is complete and on disk; the manifest, with
the dump's SHA-256, is written last, so a backup without one is unfinished. A restore checks the
checksum before touching anything, refuses to replace data without `force`, and afterwards compares every
table's row count with the manifest, and verifies the audit chain.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.executor import MigrationExecutor

from iptriad.audit.chain import ChainHeadRecord, VerificationReport, chain_heads, verify_chains
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record_auth
from iptriad.backups import postgres, sqlite
from iptriad.backups.manifest import (
    FORMAT_VERSION,
    BackupError,
    Manifest,
    dump_path_for,
    fsync_directory,
    manifest_path_for,
    manifest_read,
    manifest_write,
    sha256_of,
    utc_now_iso,
    verify_checksum,
)
from iptriad.encryption.rotation import encrypted_columns, rotate_column

SUFFIXES = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}


@dataclass(frozen=True)
class BackupResult:
    dump: Path
    manifest_path: Path
    manifest: Manifest


@dataclass
class RestoreReport:
    dump: Path
    manifest: Manifest
    chain: VerificationReport  # every audit hash chain of the restored database, verified end to end
    count_mismatches: list[str] = field(default_factory=list)
    integrity: str | None = None  # SQLite's integrity_check; None on PostgreSQL
    migration_notes: list[str] = field(default_factory=list)
    tables_checked: int = 0
    # Encrypted clinical text: how many values were read back, and per column how many the configured keys cannot
    # decrypt (a backup restored without its IPTRIAD_ENCRYPTION_KEYS). None when the schema is not current.
    encrypted_values: int | None = None
    unreadable: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        intact = self.integrity in (None, "ok")
        return not self.count_mismatches and intact and self.chain.ok and not self.unreadable


def _vendor() -> str:
    if connection.vendor not in SUFFIXES:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    return connection.vendor


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name in ("", ":memory:") or name.startswith("file:"):
        raise BackupError("The configured SQLite database is in memory: there is no file to restore into.")
    return Path(name)


def default_backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def _destination(output: Path | None, vendor: str) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"iptriad-{stamp}{SUFFIXES[vendor]}"
    if output is None:
        directory = default_backup_dir()
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return directory / name
    if output.is_dir():
        return output / name
    output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    return output


def _dump(vendor: str, partial: Path) -> tuple[str, int, dict[str, int], dict[str, str], list[ChainHeadRecord]]:
    """Write the dump into `partial` and flush it to disk; its checksum, size, row counts, migrations, chain heads."""
    if vendor == "sqlite":
        heads = chain_heads()  # taken first: every event up to these heads is in the copy
        connection.ensure_connection()
        counts, migrations = sqlite.backup_into(connection.connection, partial)
    else:
        counts, migrations, heads = postgres.dump_into(partial)
    os.chmod(partial, 0o600)
    with partial.open("rb") as written:
        os.fsync(written.fileno())
    return sha256_of(partial), partial.stat().st_size, counts, migrations, heads


def backup_create(*, output: Path | None = None) -> BackupResult:
    """Back up the configured database (safe while the server runs); the dump and its manifest, mode 0600."""
    vendor = _vendor()
    dump = _destination(output, vendor)
    for taken in (dump, manifest_path_for(dump)):
        if taken.exists():
            raise BackupError(f"{taken} already exists: choose another --output. Nothing was written.")
    partial = dump.with_name(dump.name + ".partial")
    try:
        partial.unlink(missing_ok=True)
        partial.touch(mode=0o600)
        checksum, size, counts, migrations, heads = _dump(vendor, partial)
        os.replace(partial, dump)
        fsync_directory(dump.parent)
    except (OSError, sqlite3.Error) as error:
        # A full disk or a failing one: say so, and leave no half-written file that looks like a backup.
        raise BackupError(f"The backup could not be written ({error}). Nothing was kept.") from error
    finally:
        partial.unlink(missing_ok=True)
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        created_at=utc_now_iso(),
        database_vendor=vendor,
        dump_file=dump.name,
        dump_sha256=checksum,
        dump_bytes=size,
        migrations=migrations,
        row_counts=counts,
        audit_chain_heads=heads,
    )
    try:
        manifest_path = manifest_write(dump, manifest)
    except OSError as error:
        dump.unlink(missing_ok=True)
        manifest_path_for(dump).unlink(missing_ok=True)
        raise BackupError(f"The backup's manifest could not be written ({error}). Nothing was kept.") from error
    audit_record_auth(
        action=AuditAction.BACKUP_CREATED,
        user=None,
        organisation=None,
        ip_address=None,
        detail={"file": dump.name, "sha256": checksum, "bytes": size},
    )
    return BackupResult(dump=dump, manifest_path=manifest_path, manifest=manifest)


def row_counts_now() -> dict[str, int]:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return sqlite.row_counts(connection.connection)
    return postgres.row_counts()


def _holds_data() -> list[str]:
    """The tables (beyond Django's bookkeeping) that have rows in the configured database."""
    if connection.vendor == "sqlite" and not _sqlite_path().exists():
        return []
    counts = row_counts_now()
    return sorted(table for table, rows in counts.items() if rows and table not in sqlite.BOOKKEEPING_TABLES)


def backup_verify(path: Path) -> tuple[Path, Manifest]:
    """The dump and its manifest, once the dump's checksum matches; BackupError otherwise."""
    dump = dump_path_for(path)
    manifest = manifest_read(dump)
    verify_checksum(dump, manifest)
    return dump, manifest


def _migration_notes(manifest: Manifest) -> tuple[list[str], bool]:
    """What to tell about the restored schema, and whether it is exactly this version's."""
    restored = postgres.last_migrations() if connection.vendor == "postgresql" else _sqlite_migrations()
    notes = []
    if restored != manifest.migrations:
        notes.append("the restored migration state differs from the manifest's")
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        notes.append(f"{len(pending)} migrations of this version are not applied yet: run `iptriad migrate`")
    unknown = set(executor.loader.applied_migrations) - set(executor.loader.graph.nodes)
    if unknown:
        notes.append(f"the backup has {len(unknown)} migrations this version does not know: it comes from a newer one")
    return notes, not pending and not unknown


def _sqlite_migrations() -> dict[str, str]:
    connection.ensure_connection()
    return sqlite.last_migrations(connection.connection)


def backup_restore(*, path: Path, force: bool = False) -> RestoreReport:
    """Restore a verified backup into the configured database; the checks made afterwards.

    The server must be stopped (docs/operators/backups.md). Raises BackupError, having changed nothing, when the
    checksum does not match, the database vendor differs, or the database holds data and `force` is not given.
    """
    dump, manifest = backup_verify(path)
    vendor = _vendor()
    if manifest.database_vendor != vendor:
        raise BackupError(
            f"This is a {manifest.database_vendor} backup but the configured database is {vendor}. "
            "Nothing was restored."
        )
    holding = _holds_data()
    if holding and not force:
        shown = ", ".join(holding[:5]) + (" ..." if len(holding) > 5 else "")
        raise BackupError(
            f"The configured database already holds data ({len(holding)} tables with rows: {shown}). Restoring "
            "replaces all of it: stop the server and run again with --force. Nothing was restored."
        )
    connections.close_all()
    if vendor == "sqlite":
        sqlite.restore_file(dump, _sqlite_path(), manifest.dump_sha256)
    else:
        postgres.restore_dump(dump)
    connections.close_all()
    return _check_restored(dump, manifest)


def _check_restored(dump: Path, manifest: Manifest) -> RestoreReport:
    counts = row_counts_now()
    mismatches = []
    for table, expected in sorted(manifest.row_counts.items()):
        actual = counts.get(table)
        if actual != expected:
            shown = "missing" if actual is None else str(actual)
            mismatches.append(f"{table}: {shown}, expected {expected}")
    integrity = None
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        integrity = sqlite.integrity(connection.connection)
    notes, schema_current = _migration_notes(manifest)
    report = RestoreReport(
        dump=dump,
        manifest=manifest,
        chain=verify_chains(),  # always: a restored trail that does not verify fails the restore
        count_mismatches=mismatches,
        integrity=integrity,
        migration_notes=notes,
        tables_checked=len(manifest.row_counts),
    )
    if schema_current:
        report.encrypted_values, report.unreadable = _encrypted_values_readable()
    if report.ok and schema_current:  # an older or newer audit table might not take the event
        audit_record_auth(
            action=AuditAction.BACKUP_RESTORED,
            user=None,
            organisation=None,
            ip_address=None,
            detail={"file": dump.name, "sha256": manifest.dump_sha256, "backup_created_at": manifest.created_at},
        )
    return report


def _encrypted_values_readable() -> tuple[int, dict[str, int]]:
    """Decrypt every encrypted value with the configured keys, writing nothing: the values read and, per column,
    how many failed. A backup is only usable with the keys it was written under (docs/operators/backups.md)."""
    values = 0
    unreadable = {}
    for column in encrypted_columns():
        report = rotate_column(column, dry_run=True)
        values += sum(report.by_key.values())
        if report.failed_pks:
            unreadable[column.identity] = len(report.failed_pks)
    return values, unreadable
