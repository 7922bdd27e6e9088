"""Rows for the not-on-track flags operations of the JSON API (iptriad.api.flags).

They join tests/security/matrix_rows/api.py's ROWS (the API's matrix, IDOR probes and fuzzing walk them). Flags are
clinical matters: the list is for supervisors and therapists (403 for the others); a course's flags follow the
course (404 for a role that may not read it, and for every role on another organisation's course).
"""

from __future__ import annotations

from tests.security.matrix_rows.api_row import ApiRow
from tests.security.matrix_rows.base import CLINICAL_OBJECT, Row, statuses

ROWS: dict[str, Row] = {
    "api-flag-list": ApiRow("get", statuses(403, 200, 200, 403)),
    "api-course-flags": ApiRow("get", CLINICAL_OBJECT, target="course"),
}
