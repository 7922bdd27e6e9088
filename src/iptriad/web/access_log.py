"""gunicorn's access log without secrets: a self-report link's token is a password and never reaches a log."""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger

SECRET_PATH = re.compile(r"^/(r|m)/[^/]+")  # a self-report link (/r/) and a message's opt-out link (/m/)
# A line break or other control character in a path (sent as %0A) would start a forged log line.
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")


def redact_path(path: str) -> str:
    """The path as it may be logged: a self-report token cut out, control characters escaped (ASVS 16.4.1)."""
    redacted = SECRET_PATH.sub(lambda match: f"/{match.group(1)}/[token]", path)
    return CONTROL_CHARACTER.sub(lambda match: match.group().encode("unicode_escape").decode("ascii"), redacted)


class RedactingLogger(Logger):  # type: ignore[misc]
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        if isinstance(atoms.get("U"), str):
            atoms["U"] = redact_path(atoms["U"])
        if isinstance(atoms.get("r"), str):
            atoms["r"] = _redact_request_line(atoms["r"])
        atoms["q"] = ""  # query strings may hold a searched name
        return atoms


def _redact_request_line(line: str) -> str:
    method, _, rest = line.partition(" ")
    path, _, protocol = rest.partition(" ")
    return f"{method} {redact_path(path.split('?')[0])} {protocol}".strip()


class RedactSecretPaths(logging.Filter):
    """Django logs every 4xx with its path ("Not Found: /r/<token>/"): the token is cut out before it is written."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(arg) if isinstance(arg, str) else arg for arg in record.args)
        if isinstance(record.msg, str):
            record.msg = redact_path(record.msg)
        return True
