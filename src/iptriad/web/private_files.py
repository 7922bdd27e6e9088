"""Writing a clinical record to a file from the command line: readable by its owner only, never half-written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.core.management.base import CommandError


def write_privately(path: Path, chunks: Iterable[str]) -> None:
    """Written beside the target and renamed into place, so a failure leaves no partial file behind.

    mkstemp creates the file with mode 0600, so the record is never readable by others, even briefly.
    """
    if not path.parent.is_dir():
        raise CommandError(f"The folder {path.parent} does not exist.")
    if path.is_dir():
        raise CommandError(f"{path} is a folder: give a file name.")
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            for chunk in chunks:
                stream.write(chunk)
            stream.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
