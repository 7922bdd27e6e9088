"""The manifest written beside every backup: what it holds, and the checksum that proves it is unchanged.

The manifest is written last, after the dump is complete and on disk, so a backup without a manifest is an
unfinished one and is never restored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iptriad.audit.chain import ChainHeadRecord

FORMAT_VERSION = 1
MANIFEST_SUFFIX = ".manifest.json"
CHUNK_BYTES = 1024 * 1024


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    format_version: int
    created_at: str
    database_vendor: str
    dump_file: str
    dump_sha256: str
    dump_bytes: int
    # The last applied migration of every app, as Django recorded it in the backed-up database.
    migrations: dict[str, str]
    row_counts: dict[str, int]
    # The audit hash chains' heads when the backup was taken (iptriad.audit.chain.chain_heads): every event up to
    # them is in the dump.
    audit_chain_heads: list[ChainHeadRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


def manifest_path_for(dump: Path) -> Path:
    return dump.with_name(dump.name + MANIFEST_SUFFIX)


def dump_path_for(path: Path) -> Path:
    """The dump a path names: the dump itself, or its manifest."""
    if path.name.endswith(MANIFEST_SUFFIX):
        return path.with_name(path.name.removesuffix(MANIFEST_SUFFIX))
    return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def utc_now_iso() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_private_file(path: Path, text: str) -> None:
    """Write a new file readable by its owner only, flushed to disk before returning."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())


def manifest_write(dump: Path, manifest: Manifest) -> Path:
    path = manifest_path_for(dump)
    write_private_file(path, manifest.to_json())
    fsync_directory(path.parent)
    return path


def manifest_read(dump: Path) -> Manifest:
    path = manifest_path_for(dump)
    if not path.is_file():
        raise BackupError(
            f"No manifest {path.name} beside {dump.name}: the backup is incomplete or was copied without it. "
            "Nothing was restored."
        )
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"The manifest {path.name} cannot be read ({error}). Nothing was restored.") from error
    if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"The manifest {path.name} is not a format {FORMAT_VERSION} iptriad backup manifest. Nothing was restored."
        )
    try:
        return Manifest(**data)
    except TypeError as error:
        raise BackupError(f"The manifest {path.name} is malformed ({error}). Nothing was restored.") from error


def verify_checksum(dump: Path, manifest: Manifest) -> None:
    """Refuse a dump that is missing, truncated, corrupted or changed since the backup was made."""
    if not dump.is_file():
        raise BackupError(f"The backup file {dump} does not exist. Nothing was restored.")
    actual = sha256_of(dump)
    if actual != manifest.dump_sha256:
        raise BackupError(
            f"The backup file {dump.name} does not match its manifest: SHA-256 {actual}, expected "
            f"{manifest.dump_sha256}. It is corrupted or was changed after the backup. Nothing was restored."
        )


def fsync_directory(directory: Path) -> None:
    """Make a rename or a new file in the directory survive a crash."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
