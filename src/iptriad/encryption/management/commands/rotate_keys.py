"""`iptriad rotate-keys`: move every encrypted value onto the current key (docs/operators/encryption.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record_auth
from iptriad.encryption.fields import active_keyring
from iptriad.encryption.keys import new_key_entry
from iptriad.encryption.rotation import DEFAULT_BATCH_SIZE, ColumnReport, encrypted_columns, rotate_column


class Command(BaseCommand):
    help = (
        "Re-encrypt stored clinical text under the first key of IPTRIAD_ENCRYPTION_KEYS (and encrypt legacy "
        "plaintext), in short batches while the servers keep running. --dry-run/--check only count."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count values per key id; write nothing.")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Like --dry-run, and exit 1 if any value is not under the current key (for monitoring).",
        )
        parser.add_argument(
            "--new-key", action="store_true", help="Print a fresh key-id:key entry to put first in the ring."
        )
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Rows per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(new_key_entry())
            return
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1")
        counting = options["dry_run"] or options["check"]
        ring = active_keyring()
        self.stdout.write(f"Current key: {ring.current_id}; the ring holds {', '.join(ring.keys)}")
        reports = []
        for column in encrypted_columns():
            report = rotate_column(column, keyring=ring, batch_size=options["batch_size"], dry_run=counting)
            reports.append(report)
            self.stdout.write(_describe(report, counting))
        to_rewrite = sum(report.to_rewrite for report in reports)
        failed = {report.identity: report.failed_pks for report in reports if report.failed_pks}
        if not counting:
            rewritten = sum(report.rewritten for report in reports)
            with transaction.atomic():
                audit_record_auth(
                    action=AuditAction.ENCRYPTION_KEYS_ROTATED,
                    user=None,
                    organisation=None,
                    ip_address=None,
                    detail={
                        "key_id": ring.current_id,
                        "rewritten": {r.identity: r.rewritten for r in reports if r.rewritten},
                        "failed": {identity: len(pks) for identity, pks in failed.items()},
                    },
                )
            self.stdout.write(f"Re-encrypted {rewritten} value(s) under key {ring.current_id}.")
        if failed:
            where = "; ".join(f"{identity} rows {', '.join(map(str, pks[:20]))}" for identity, pks in failed.items())
            raise CommandError(
                f"{sum(map(len, failed.values()))} value(s) could not be decrypted with the keys in "
                f"IPTRIAD_ENCRYPTION_KEYS (a removed key or altered data): {where}"
            )
        if options["check"] and to_rewrite:
            raise CommandError(f"{to_rewrite} value(s) are not under the current key {ring.current_id}")
        if counting:
            self.stdout.write(f"{to_rewrite} value(s) would be re-encrypted under key {ring.current_id}.")


def _describe(report: ColumnReport, counting: bool) -> str:
    by_key = ", ".join(f"{key} {count}" for key, count in sorted(report.by_key.items())) or "no values"
    if counting:
        return f"{report.identity}: {by_key}; {report.to_rewrite} to re-encrypt"
    return f"{report.identity}: {report.rewritten} re-encrypted ({by_key})"
