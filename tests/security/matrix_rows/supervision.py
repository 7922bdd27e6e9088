"""Rows for the supervision log's pages. Organisation A's matrix meeting (tests.supervision.factories) reviews the
matrix course, was attended by therapist_a, and gave them its open action. An administrator sees no log (403 on the
log, 404 on an entry); only supervisors log and edit meetings; facilitator_a neither attended nor owns anything."""

from tests.security.matrix_rows.base import Row, statuses

ROWS = {
    "supervision_log": Row("get", statuses(403, 200, 200, 200)),
    "supervision_entry_new": Row("get", statuses(403, 200, 403, 403)),
    "supervision_entry": Row("get", statuses(404, 200, 200, 404), target="supervision_entry"),
    "supervision_entry_edit": Row("get", statuses(404, 200, 404, 404), target="supervision_entry"),
    "supervision_action_done": Row("get", statuses(404, 200, 200, 404), target="supervision_action"),
}
