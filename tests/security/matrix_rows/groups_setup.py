"""Rows for group IPT's set-up pages: the list of groups, a group's page, creating and changing groups, adding and
moving members, closing, sites and formats. Organisation A's matrix group is led by facilitator_a and supervised by
therapist_a, so every role sees it; only administrators and supervisors set groups up (403 to the others on a group
they see). Sites are set-up records: to the other roles a site's page does not exist (404)."""

from tests.security.matrix_rows.base import EVERYONE_OK, Row, statuses

ORGANISERS = statuses(200, 200, 403, 403)

ROWS = {
    "groups_list": Row("get", EVERYONE_OK),
    "groups_create": Row("get", ORGANISERS),
    "groups_detail": Row("get", EVERYONE_OK, target="group"),
    "groups_edit": Row("get", ORGANISERS, target="group"),
    "groups_member_add": Row("get", ORGANISERS, target="group"),
    "groups_member_transfer": Row("get", ORGANISERS, target="group_member"),
    "groups_close": Row("get", ORGANISERS, target="group"),
    "groups_sites": Row("get", ORGANISERS),
    "groups_site_edit": Row("get", statuses(200, 200, 404, 404), target="site"),
    "groups_formats": Row("get", ORGANISERS),
}
