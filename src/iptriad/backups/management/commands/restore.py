"""`iptriad restore PATH [--force]`: check a backup's checksum, restore it, then check the restored database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iptriad.audit.chain import VerificationReport
from iptriad.backups.manifest import BackupError
from iptriad.backups.services import backup_restore

# Problems of a broken audit chain listed by the restore; `iptriad audit verify` lists every one.
PROBLEMS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Restore a backup made by `iptriad backup` into the configured database. Stop the server first. "
        "The checksum is verified before anything changes; afterwards row counts and the audit chain are checked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The backup file (or its .manifest.json)")
        parser.add_argument(
            "--force", action="store_true", help="Replace a database that already holds data (it is lost)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = backup_restore(path=options["path"], force=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = report.manifest
        self.stdout.write(f"Checksum verified: SHA-256 {manifest.dump_sha256}")
        self.stdout.write(f"Restored {report.dump.name} (backed up {manifest.created_at}, {manifest.database_vendor})")
        if report.count_mismatches:
            self.stdout.write(f"Row counts: {len(report.count_mismatches)} tables differ from the manifest:")
            for mismatch in report.count_mismatches:
                self.stdout.write(f"  {mismatch}")
        else:
            self.stdout.write(f"Row counts: all {report.tables_checked} tables match the manifest")
        if report.integrity is not None:
            self.stdout.write(f"SQLite integrity check: {report.integrity}")
        for note in report.migration_notes:
            self.stdout.write(f"Note: {note}")
        self._write_chain(report.chain)
        if report.unreadable:
            failed = sum(report.unreadable.values())
            self.stdout.write(
                f"Encrypted notes: {failed} of {report.encrypted_values} values cannot be decrypted with "
                "IPTRIAD_ENCRYPTION_KEYS: set the keys the backup was written under (docs/operators/backups.md)"
            )
            for identity, count in sorted(report.unreadable.items()):
                self.stdout.write(f"  {identity}: {count}")
        elif report.encrypted_values is not None:
            self.stdout.write(f"Encrypted notes: all {report.encrypted_values} values decrypt with the configured keys")
        if not report.ok:
            raise CommandError("The restored database failed its checks: see above. Do not serve it as it is.")
        self.stdout.write("Restore complete.")

    def _write_chain(self, chain: VerificationReport) -> None:
        chains = "1 chain" if len(chain.chains) == 1 else f"{len(chain.chains)} chains"
        if chain.ok:
            self.stdout.write(f"Audit chain: intact, {chain.events_checked} events in {chains} verified")
            return
        count = chain.problem_count
        self.stdout.write(f"Audit chain: BROKEN, {count} problem{'s' if count != 1 else ''} in {chains}:")
        problems = chain.problems
        for problem in problems[:PROBLEMS_SHOWN]:
            self.stdout.write(f"  {problem}")
        if count > PROBLEMS_SHOWN:
            self.stdout.write(f"  ... and {count - PROBLEMS_SHOWN} more: `iptriad audit verify` lists them")
