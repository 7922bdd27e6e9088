"""Rows for a client's data rights: only the organisation's administrators may export or erase a client."""

from tests.security.matrix_rows.base import Row, statuses

# To every other role these pages do not exist, like any object they may not act on.
ADMIN_OBJECT = statuses(200, 404, 404, 404)

ROWS = {
    "datarights-client": Row("get", ADMIN_OBJECT, target="client"),
    # Asking for an export (a POST with a reason): administrators only; its approval and download, per role and
    # organisation, are in tests/datarights/test_export_approval.py.
    "datarights-export-request": Row(
        "post",
        statuses(302, 404, 404, 404),
        target="client",
        form={"export_format": "json", "reason": "client_request", "reference": "DSR-1"},
    ),
    "datarights-approvals": Row("get", statuses(200, 200, 200, 200)),
    # Deciding: a supervisor, or the client's therapist (therapist A's client), never the administrator who asked.
    "datarights-export-decide": Row("post", statuses(404, 302, 302, 404), target="export_request"),
    # Downloading: only who asked; a pending request sends them back to the client's page with the reason.
    "datarights-export-download": Row("get", statuses(302, 404, 404, 404), target="export_request"),
    # The erasing POST (other roles, another organisation) is tested in tests/datarights/test_pages.py.
    "datarights-erase": Row("get", ADMIN_OBJECT, target="client"),
}
