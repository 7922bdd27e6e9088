"""The row of a JSON API operation (tests/security/matrix_rows/api.py and groups_api.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.security.matrix_rows.base import Row


@dataclass(frozen=True)
class ApiRow(Row):
    """A row whose request carries `json` as an application/json body (method may also be "patch")."""

    json: dict[str, Any] = field(default_factory=dict)
    anonymous: int = 401
