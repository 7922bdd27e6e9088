"""Rows for the members page: only the organisation's administrators list members and change their access.

The changes are POSTs on organisation A's second therapist ("own") or organisation B's therapist ("other"); an
administrator's change redirects back to the page, and to every other role a member does not exist (404).
"""

from tests.security.matrix_rows.base import Row, statuses

ADMIN_ONLY_PAGE = statuses(200, 403, 403, 403)
ADMIN_ACTION = statuses(302, 404, 404, 404)

ROWS = {
    "organisation-members": Row("get", ADMIN_ONLY_PAGE),
    "member-deactivate": Row("post", ADMIN_ACTION, target="membership"),
    "member-reactivate": Row("post", ADMIN_ACTION, target="membership"),
    "member-mfa-reset": Row("post", ADMIN_ACTION, target="membership"),
    "member-sessions-end": Row("post", ADMIN_ACTION, target="membership"),
}
