"""Rows for a group session's roster: those who run the group (its facilitators, its supervising clinician,
supervisors); an administrator organises groups but does not see their clinical content."""

from tests.security.matrix_rows.base import Row, statuses

RUNS_THE_GROUP = statuses(404, 200, 200, 200)

ROWS = {
    "groups_session": Row("get", RUNS_THE_GROUP, target="group_session"),
}
