"""Rows for the competency pages and their API (iptriad.competency, iptriad.api.competency).

The record of the matrix is therapist_a's (tests.competency.factories.competency_records: a training and a
certification), addressed by their membership. Supervisors and administrators manage every record; a therapist reads
their own (so the forms on it answer 403), a facilitator does not see it (404). The overview sends a therapist or a
facilitator to their own record (302).
"""

from __future__ import annotations

from tests.security.matrix_rows.api_row import ApiRow
from tests.security.matrix_rows.base import Row, statuses

MANAGERS = statuses(200, 200, 403, 403)
MANAGE_OWN_RECORD = statuses(200, 200, 403, 404)
TRAINING = {"kind": "course", "title": "Matrix course", "completed_on": "2026-01-05", "hours": 14}

ROWS: dict[str, Row] = {
    "competency_team": Row("get", statuses(200, 200, 302, 302)),
    "competency_person": Row("get", statuses(200, 200, 200, 404), target="competency_member"),
    "competency_training_add": Row("get", MANAGE_OWN_RECORD, target="competency_member"),
    "competency_training_edit": Row("get", MANAGE_OWN_RECORD, target="competency_training"),
    "competency_training_remove": Row("get", MANAGE_OWN_RECORD, target="competency_training"),
    "competency_certification_add": Row("get", MANAGE_OWN_RECORD, target="competency_member"),
    "competency_certification_edit": Row("get", MANAGE_OWN_RECORD, target="competency_certification"),
    "competency_certification_remove": Row("get", MANAGE_OWN_RECORD, target="competency_certification"),
    "competency_settings": Row("get", MANAGERS),
}

# The API's (joined to tests/security/matrix_rows/api.py's ROWS, so the API matrix, IDOR probes and fuzzing walk them).
API_ROWS: dict[str, Row] = {
    "api-competency-team": ApiRow("get", MANAGERS),
    "api-competency-person": ApiRow("get", statuses(200, 200, 200, 404), target="competency_member"),
    "api-competency-training-add": ApiRow(
        "post", statuses(201, 201, 403, 404), target="competency_member", json=TRAINING
    ),
}
