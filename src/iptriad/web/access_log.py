"""gunicorn's access log without secrets: a self-report link's token is a password and never reaches a log."""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

SECRET_PATH = re.compile(r"^/r/[^/]+")


def redact_path(path: str) -> str:
    return SECRET_PATH.sub("/r/[token]", path)


class RedactingLogger(Logger):  # type: ignore[misc]
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r"):
            if key in atoms and isinstance(atoms[key], str):
                atoms[key] = (
                    SECRET_PATH.sub("/r/[token]", atoms[key]) if key == "U" else _redact_request_line(atoms[key])
                )
        atoms["q"] = ""  # query strings may hold a searched name
        return atoms


def _redact_request_line(line: str) -> str:
    method, _, rest = line.partition(" ")
    path, _, protocol = rest.partition(" ")
    return f"{method} {redact_path(path.split('?')[0])} {protocol}".strip()
