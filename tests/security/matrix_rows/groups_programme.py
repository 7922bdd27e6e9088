"""Rows for group IPT's programme counts: a group's, a site's and the organisation's. Counts are aggregates with no
one's name or answers, so every role that sees the group sees them (iptriad.groups.views.programme)."""

from tests.security.matrix_rows.base import EVERYONE_OK, Row

ROWS = {
    "groups_programme": Row("get", EVERYONE_OK, target="group"),
    "groups_site": Row("get", EVERYONE_OK, target="site"),
    "groups_programme_all": Row("get", EVERYONE_OK),
}
