"""Running `iptriad` against a database of its own, and checks on what it leaves there."""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.db import connection

from iptriad.backups import sqlite as sqlite_backups

ROOT = Path(__file__).resolve().parents[2]


def run_iptriad(
    args: list[str], *, database_url: str, data_dir: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`iptriad ARGS` in a new process, as an operator runs it, on the given database."""
    environment = {
        **os.environ,
        "IPTRIAD_DATABASE_URL": database_url,
        "IPTRIAD_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "iptriad.settings",
        **(env or {}),
    }
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "iptriad", *args],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def postgres_server_url() -> str:
    """The test database's server, as a URL without a database name."""
    settings = connection.settings_dict
    user = quote(str(settings.get("USER") or "postgres"))
    password = f":{quote(str(settings['PASSWORD']))}" if settings.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}"


@contextmanager
def fresh_database(directory: Path) -> Iterator[str]:
    """The URL of a new, empty database: a new SQLite file, or a new PostgreSQL database dropped afterwards."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{directory / 'fresh.sqlite3'}"
        return
    server = postgres_server_url()
    name = f"iptriad_fresh_{secrets.token_hex(6)}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def row_counts_of(database_url: str) -> dict[str, int]:
    """Every table's row count in another database, read straight from it."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        if not path.exists():
            return {}
        with closing(sqlite3.connect(path)) as reader:  # an open connection would make the restore refuse
            return sqlite_backups.row_counts(reader)
    with psycopg.connect(database_url) as reader:
        tables = [
            row[0]
            for row in reader.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
        ]
        counts = {}
        for table in tables:
            row = reader.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()  # noqa: S608 - catalogue names
            counts[table] = int(row[0]) if row else 0
        return counts


def assert_audit_chain_verifies(*, database_url: str, data_dir: Path) -> str:
    """`iptriad audit verify` passes on the database; its summary line ("The audit trail is intact: ...")."""
    verified = run_iptriad(["audit", "verify"], database_url=database_url, data_dir=data_dir)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    summary = verified.stdout.strip().splitlines()[-1]
    assert summary.startswith("The audit trail is intact: "), verified.stdout
    return summary


def last_audit_action(database_url: str) -> str:
    query = "SELECT action FROM audit_auditevent ORDER BY id DESC LIMIT 1"
    if database_url.startswith("sqlite:///"):
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as reader:
            row = reader.execute(query).fetchone()
    else:
        with psycopg.connect(database_url) as reader:
            row = reader.execute(query).fetchone()
    assert row is not None
    return str(row[0])
