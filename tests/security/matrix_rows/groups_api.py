"""Rows for the group IPT operations of the JSON API (iptriad.api.groups, iptriad.api.group_sessions).

They join tests/security/matrix_rows/api.py's ROWS (so the API's matrix, IDOR probes and fuzzing walk them), not
matrix_rows._MODULES. The group of the matrix (tests.groups.factories.group_records) is led by facilitator_a and
supervised by therapist_a, with one member who has joined and session 1 held: recording that member's pre-group
meeting or decision again is refused (422), and so is clearing them (they are not held). Setting groups up is for
administrators and supervisors (403 for the others, before any id of the body is read); a body naming no real user
or client is refused by field (422) for the roles let through, since a row's body cannot carry the test's ids.
"""

from __future__ import annotations

from tests.security.matrix_rows.api_row import ApiRow
from tests.security.matrix_rows.base import EVERYONE_OK, Row, statuses

UNKNOWN_ID = 2**62  # an id in range that names no row
MANAGE = statuses(200, 200, 403, 403)
MANAGE_REFUSED = statuses(422, 422, 403, 403)
RUN = statuses(403, 200, 200, 200)
RUN_REFUSED = statuses(403, 422, 422, 422)
CLEAR_REFUSED = statuses(403, 422, 422, 403)
NEW_GROUP = {
    "name": "Thursday group",
    "format_code": "who_8",
    "facilitator": UNKNOWN_ID,
    "supervisor": UNKNOWN_ID,
    "starts_on": "2026-09-03",
    "capacity": 10,
}
PRE_GROUP = {
    "held_on": "2026-09-01",
    "screening_answers": [1, 1, 1, 1, 1, 1, 1, 1, 0],
    "problem_area": "grief",
    "goal": "Sleep through the night",
    "suicide_plan": False,
    "recent_attempt": False,
}

ROWS: dict[str, Row] = {
    "api-group-list": ApiRow("get", EVERYONE_OK),
    "api-group-create": ApiRow("post", MANAGE_REFUSED, json=NEW_GROUP),
    "api-group-get": ApiRow("get", EVERYONE_OK, target="group"),
    "api-group-update": ApiRow("patch", MANAGE, target="group", json={"place": "The community hall"}),
    "api-group-member-list": ApiRow("get", EVERYONE_OK, target="group"),
    "api-group-member-add": ApiRow("post", MANAGE_REFUSED, target="group", json={"client": UNKNOWN_ID}),
    "api-group-member-get": ApiRow("get", EVERYONE_OK, target="group_member"),
    "api-group-member-pre-group": ApiRow("post", RUN_REFUSED, target="group_member", json=PRE_GROUP),
    "api-group-member-decide": ApiRow(
        "post", RUN_REFUSED, target="group_member", json={"joins": True, "consent_on": "2026-09-01"}
    ),
    "api-group-member-clear": ApiRow(
        "post", CLEAR_REFUSED, target="group_member", json={"note": "Assessed: safe to come back."}
    ),
    "api-group-member-drop": ApiRow("post", RUN, target="group_member", json={"reason_code": "moved"}),
    "api-group-member-plan": ApiRow(
        "post",
        RUN,
        target="group_member",
        json={"warning_signs": "Staying in bed", "plan": "Call my sister; come to the clinic"},
    ),
    "api-group-session-get": ApiRow("get", EVERYONE_OK, target="group_session"),
    # Every member needs a row: an empty roster is refused for the roles that may record.
    "api-group-session-record": ApiRow(
        "put", RUN_REFUSED, target="group_session", json={"held_on": "2026-09-03", "entries": []}
    ),
}
