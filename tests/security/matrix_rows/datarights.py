"""Rows for a client's data rights: only the organisation's administrators may export or erase a client."""

from tests.security.matrix_rows.base import Row, statuses

# To every other role these pages do not exist, like any object they may not act on.
ADMIN_OBJECT = statuses(200, 404, 404, 404)

ROWS = {
    "datarights-client": Row("get", ADMIN_OBJECT, target="client"),
    "datarights-export-json": Row("get", ADMIN_OBJECT, target="client"),
    "datarights-export-fhir": Row("get", ADMIN_OBJECT, target="client"),
    # The erasing POST (other roles, another organisation) is tested in tests/datarights/test_pages.py.
    "datarights-erase": Row("get", ADMIN_OBJECT, target="client"),
}
