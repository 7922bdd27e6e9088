"""PostgreSQL: pg_dump of one exported snapshot, and pg_restore in a single transaction.

The row counts and the migration state are read in the same REPEATABLE READ snapshot that pg_dump dumps
(`pg_dump --snapshot`), so the manifest describes exactly what the dump holds while the server keeps writing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from django.db import connection, transaction

from iptriad.audit.chain import ChainHeadRecord, chain_heads
from iptriad.backups.manifest import BackupError

PG_TOOLS_HINT = "install the PostgreSQL client tools (Debian: apt install postgresql-client) of the server's version"
RESTORE_LOCK_TIMEOUT_MS = 30_000
# libpq reads these from the environment: the password never appears on a command line.
_SSL_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH: {PG_TOOLS_HINT}.")
    return found


def libpq_environment() -> dict[str, str]:
    settings = connection.settings_dict
    environment = dict(os.environ)
    for variable, key in (("PGDATABASE", "NAME"), ("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if settings.get(key):
            environment[variable] = str(settings[key])
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = str(settings["PASSWORD"])
    options = settings.get("OPTIONS") or {}
    for option in _SSL_OPTIONS:
        if options.get(option):
            environment[f"PG{option.upper()}"] = str(options[option])
    return environment


def _run(arguments: list[str], what: str, *, settings: str = "") -> None:
    environment = libpq_environment()
    if settings:
        environment["PGOPTIONS"] = f"{environment.get('PGOPTIONS', '')} {settings}".strip()
    finished = subprocess.run(  # noqa: S603 - absolute tool path, arguments built here
        arguments, env=environment, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        message = finished.stderr.strip().splitlines()
        raise BackupError(f"{what} failed (exit {finished.returncode}): {' / '.join(message[-5:])}")


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            # Table names come from the catalogue, not from input, and are quoted.
            name = connection.ops.quote_name(table)
            query = f"SELECT COUNT(*) FROM {name}"  # noqa: S608  # nosec B608  # catalogue name, quoted
            cursor.execute(query)
            counts[table] = int(cursor.fetchone()[0])
    return counts


def last_migrations() -> dict[str, str]:
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return {}
        cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app ORDER BY app")
        return {str(app): str(name) for app, name in cursor.fetchall()}


def dump_into(destination: Path) -> tuple[dict[str, int], dict[str, str], list[ChainHeadRecord]]:
    """pg_dump the database into the file; the counts, migrations and chain heads of the very same snapshot."""
    pg_dump = _tool("pg_dump")
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = str(cursor.fetchone()[0])
        counts, migrations, heads = row_counts(), last_migrations(), chain_heads()
        # The snapshot stays importable only while this transaction is open.
        _run(
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", "--no-password", f"--file={destination}"],
            "pg_dump",
        )
    return counts, migrations, heads


def restore_dump(dump: Path) -> None:
    """Replace the dumped objects in the configured database, all or nothing."""
    pg_restore = _tool("pg_restore")
    connection.close()  # our own session must not hold locks the DROPs wait for
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        "pg_restore",
        # A server still running holds locks the DROPs would wait on for ever: give up instead, changing nothing.
        settings=f"-c lock_timeout={RESTORE_LOCK_TIMEOUT_MS}",
    )
