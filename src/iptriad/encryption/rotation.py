"""Re-encrypting stored values under the current key, in short batches, while the servers keep running.

Readers accept every key in the ring, so rows can move from the old key to the new one while the application is
in use. Each batch is its own short transaction and writes a row only if it still holds the value read (a
compare-and-swap), so a concurrent edit is never overwritten. Rows already under the current key are left alone,
which makes a run idempotent and an interrupted run resumable. Used by `iptriad rotate-keys` and by the
migrations that first encrypt existing rows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps as installed_apps
from django.apps.registry import Apps
from django.db import models, transaction
from django.db.models.functions import Cast

from iptriad.encryption.cipher import DecryptionError, decrypt, encrypt, key_id_of
from iptriad.encryption.fields import EncryptedTextField, active_keyring
from iptriad.encryption.keys import Keyring

DEFAULT_BATCH_SIZE = 500
PLAINTEXT = "plaintext"  # the bucket of legacy values written before encryption


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[models.Model]
    field: EncryptedTextField

    @property
    def identity(self) -> str:
        return self.field.identity


@dataclass
class ColumnReport:
    """Non-empty values of one column by key id (or PLAINTEXT), what was rewritten and which rows failed."""

    identity: str
    by_key: Counter[str] = field(default_factory=Counter)
    to_rewrite: int = 0
    rewritten: int = 0
    failed_pks: list[object] = field(default_factory=list)


def encrypted_columns(
    registry: Apps = installed_apps, app_labels: Iterable[str] | None = None
) -> list[EncryptedColumn]:
    """Every EncryptedTextField of the installed (or, in a migration, historical) models."""
    wanted = set(app_labels) if app_labels is not None else None
    columns = []
    for model in registry.get_models():
        if wanted is not None and model._meta.app_label not in wanted:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, EncryptedTextField):
                columns.append(EncryptedColumn(model=model, field=model_field))
    return sorted(columns, key=lambda column: column.identity)


def rotate_column(
    column: EncryptedColumn,
    *,
    keyring: Keyring | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    dry_run: bool = False,
    using: str = "default",
) -> ColumnReport:
    """Re-encrypt (or with dry_run only count) the column's values not under the current key."""
    ring = keyring or active_keyring()
    report = ColumnReport(identity=column.identity)
    last_pk: object = None
    while True:
        if dry_run:
            batch = _read_batch(column, last_pk, batch_size, using)
            _sort_batch(column, batch, ring, report)
        else:
            with transaction.atomic(using=using):
                batch = _read_batch(column, last_pk, batch_size, using)
                rewrites = _sort_batch(column, batch, ring, report)
                report.rewritten += sum(_swap(column, pk, old, new, using) for pk, old, new in rewrites)
        if len(batch) < batch_size:
            return report
        last_pk = batch[-1][0]


def decrypt_column(column: EncryptedColumn, *, batch_size: int = DEFAULT_BATCH_SIZE, using: str = "default") -> int:
    """Write plaintext back (a migration's reverse); every value must decrypt."""
    ring = active_keyring()
    written = 0
    last_pk: object = None
    while True:
        with transaction.atomic(using=using):
            batch = _read_batch(column, last_pk, batch_size, using)
            for pk, stored in batch:
                if key_id_of(stored) is not None:
                    written += _swap(column, pk, stored, decrypt(stored, identity=column.identity, keyring=ring), using)
        if len(batch) < batch_size:
            return written
        last_pk = batch[-1][0]


def _stored(column: EncryptedColumn) -> Cast:
    """The column as stored: a plain-text expression, so the ORM neither decrypts nor encrypts it."""
    return Cast(column.field.attname, output_field=models.TextField())


def _read_batch(column: EncryptedColumn, after_pk: object, size: int, using: str) -> list[tuple[object, str]]:
    rows = column.model._base_manager.using(using).annotate(stored=_stored(column)).exclude(stored="")
    rows = rows.filter(stored__isnull=False)
    if after_pk is not None:
        rows = rows.filter(pk__gt=after_pk)
    return list(rows.order_by("pk").values_list("pk", "stored")[:size])


def _sort_batch(
    column: EncryptedColumn, batch: list[tuple[object, str]], ring: Keyring, report: ColumnReport
) -> list[tuple[object, str, str]]:
    """Count the batch by key, verify every value decrypts, and return the rewrites it needs."""
    rewrites = []
    for pk, stored in batch:
        key_id = key_id_of(stored)
        report.by_key[key_id or PLAINTEXT] += 1
        try:
            plaintext = decrypt(stored, identity=column.identity, keyring=ring)
        except DecryptionError:
            report.failed_pks.append(pk)
            continue
        if key_id != ring.current_id:
            report.to_rewrite += 1
            rewrites.append((pk, stored, encrypt(plaintext, identity=column.identity, keyring=ring)))
    return rewrites


def _swap(column: EncryptedColumn, pk: object, old: str, new: str, using: str) -> int:
    """Write `new` only if the row still holds `old`: a save in between keeps its own (current-key) value."""
    row = column.model._base_manager.using(using).alias(stored=_stored(column)).filter(pk=pk, stored=old)
    return int(row.update(**{column.field.attname: models.Value(new, output_field=models.TextField())}))
