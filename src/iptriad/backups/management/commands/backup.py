"""`iptriad backup [--output PATH]`: a consistent copy of the whole database and its checksummed manifest."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.backups.manifest import BackupError
from iptriad.backups.services import backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (safe while the server runs): SQLite's online backup or pg_dump, with a manifest "
        "holding the SHA-256 checksum, row counts and migration state. Keep the encryption keys backed up too."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            help="The backup file, or a directory for it: an existing one, or any path ending in / "
            "(default: IPTRIAD_BACKUP_DIR, else backups/ in the data directory)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        raw = str(options["output"] or "")
        output = Path(raw) if raw else None
        if output is not None and raw.endswith(("/", os.sep)):
            try:
                output.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as error:
                raise CommandError(f"Cannot create the directory {output}: {error.strerror}.") from error
        try:
            result = backup_create(output=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        rows = sum(manifest.row_counts.values())
        self.stdout.write(f"Backed up the {manifest.database_vendor} database to {result.dump}")
        self.stdout.write(f"  {manifest.dump_bytes} bytes, {len(manifest.row_counts)} tables, {rows} rows")
        self.stdout.write(f"  SHA-256 {manifest.dump_sha256}")
        self.stdout.write(f"  manifest {result.manifest_path}")
        self.stdout.write("Keep the encryption keys backed up separately: without them the encrypted notes in this")
        self.stdout.write("backup cannot be read (docs/operators/backups.md).")
