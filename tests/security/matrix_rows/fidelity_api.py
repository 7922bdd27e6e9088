"""Rows for the fidelity operations of the JSON API (iptriad.api.fidelity); they join matrix_rows/api.py's ROWS.

Listing answers everyone (an administrator's list is empty). A rating sent for a session no one may rate (an id no
row has) is a 404 for every role, as a session of another organisation is.
"""

from __future__ import annotations

from tests.security.matrix_rows.api_row import ApiRow
from tests.security.matrix_rows.base import EVERYONE_OK, Row, statuses

UNKNOWN_ID = 2**62

ROWS: dict[str, Row] = {
    "api-fidelity-rating-list": ApiRow("get", EVERYONE_OK),
    "api-fidelity-rating-get": ApiRow("get", statuses(404, 200, 200, 404), target="fidelity_rating"),
    "api-fidelity-course-checklist": ApiRow("get", statuses(404, 200, 200, 404), target="session"),
    # Whoever sees the group's clinical record: supervisors, its supervising clinician (therapist_a), its facilitator.
    "api-fidelity-group-checklist": ApiRow("get", statuses(404, 200, 200, 200), target="group_session"),
    "api-fidelity-rating-create": ApiRow(
        "post", statuses(404, 404, 404, 404), json={"course_session": UNKNOWN_ID, "answers": {"a": "done"}}
    ),
}
