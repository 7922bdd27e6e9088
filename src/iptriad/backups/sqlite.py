"""SQLite: the online backup API into a self-contained file, and an atomic file swap to restore it.

The backup API copies a consistent snapshot while the server keeps serving (in WAL mode writers are not
blocked). The copy is switched to rollback-journal mode so the backup is one file with no -wal beside it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from iptriad.backups.manifest import CHUNK_BYTES, BackupError, fsync_directory, sha256_of

# Tables Django fills on `migrate` alone: rows there do not mean the database holds anyone's data.
BOOKKEEPING_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def integrity(connection: sqlite3.Connection) -> str:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(row[0]) for row in rows)


def row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
            "ORDER BY name"
        )
    ]
    counts = {}
    for table in tables:
        # Table names come from sqlite_master, not from input, and are quoted.
        query = f"SELECT COUNT(*) FROM {quote(table)}"  # noqa: S608  # nosec B608  # sqlite_master name, quoted
        counts[table] = int(connection.execute(query).fetchone()[0])
    return counts


def last_migrations(connection: sqlite3.Connection) -> dict[str, str]:
    exists = connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'")
    if exists.fetchone() is None:
        return {}
    latest: dict[str, str] = {}
    for app, name in connection.execute("SELECT app, name FROM django_migrations ORDER BY app, name"):
        latest[app] = name  # names start with their zero-padded number, so the last in order is the latest
    return latest


def backup_into(source: Any, destination: Path) -> tuple[dict[str, int], dict[str, str]]:
    """Copy the open source database (a sqlite3 connection) into a new file; its row counts and migrations.

    The counts come from the copy itself, so they describe exactly what the backup holds.
    """
    target = sqlite3.connect(destination)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
        checked = integrity(target)
        if checked != "ok":
            raise BackupError(f"The copy failed SQLite's integrity check ({checked}); the database may be damaged.")
        return row_counts(target), last_migrations(target)
    finally:
        target.close()


def _retire_wal(target: Path) -> None:
    """Fold the current database's WAL into it and stop using WAL, so no stale -wal is replayed onto the restore.

    Switching away from WAL needs the only connection to the database: it fails while a server has it open.
    """
    if not target.exists():
        return
    connection = sqlite3.connect(target, timeout=5)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.OperationalError as error:
        raise BackupError(
            f"The database {target} is in use ({error}): stop the iptriad server, then restore. Nothing was restored."
        ) from error
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)


def restore_file(dump: Path, target: Path, expected_sha256: str) -> None:
    """Swap the backup in for the database file in one rename: the old database stays whole until then."""
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{target.name}.restore-", dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(descriptor, "wb") as out, dump.open("rb") as source:
            shutil.copyfileobj(source, out, CHUNK_BYTES)
            out.flush()
            os.fsync(out.fileno())
        if sha256_of(temp) != expected_sha256:
            raise BackupError("The copy of the backup differs from the backup (a disk error?). Nothing was restored.")
        check = sqlite3.connect(temp.as_uri() + "?mode=ro", uri=True)
        try:
            checked = integrity(check)
        finally:
            check.close()
        if checked != "ok":
            raise BackupError(f"The backup fails SQLite's integrity check ({checked}). Nothing was restored.")
        _retire_wal(target)
        os.replace(temp, target)
        fsync_directory(target.parent)
    finally:
        temp.unlink(missing_ok=True)
