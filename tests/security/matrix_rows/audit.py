"""Rows for the audit trail's integrity check (the browse page itself is in foundation)."""

from tests.security.matrix_rows.base import Row, statuses

ROWS = {
    "audit-verify": Row("post", statuses(302, 403, 403, 403)),
}
