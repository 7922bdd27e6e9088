"""Rows for the supervision log's operations of the JSON API (iptriad.api.supervision); they join
tests/security/matrix_rows/api.py's ROWS as groups_api.py does. The body of a new entry names no real user, so a
supervisor is refused by field (422); the other roles may not log meetings (403). The follow-up is dated before the
meeting, so the action's owner (therapist_a) and a supervisor get 422; anyone else does not find it (404)."""

from __future__ import annotations

from tests.security.matrix_rows.api_row import ApiRow
from tests.security.matrix_rows.base import Row, statuses

UNKNOWN_ID = 2**62
NEW_ENTRY = {"held_on": "2026-01-05", "format": "individual", "attendees": [UNKNOWN_ID]}
DONE_TOO_EARLY = {"done_on": "2000-01-03", "follow_up": "Called"}

ROWS: dict[str, Row] = {
    "api-supervision-entry-list": ApiRow("get", statuses(403, 200, 200, 200)),
    "api-supervision-entry-get": ApiRow("get", statuses(404, 200, 200, 404), target="supervision_entry"),
    "api-supervision-entry-create": ApiRow("post", statuses(403, 422, 403, 403), json=NEW_ENTRY),
    "api-supervision-action-done": ApiRow(
        "post", statuses(404, 422, 422, 404), target="supervision_action", json=DONE_TOO_EARLY
    ),
}
