"""Rows for the outcomes dashboard and its downloads (iptriad.outcomes): aggregates of the current organisation for
its supervisors and administrators; the de-identified rows file for supervisors only; therapists and facilitators
are refused (403). There is no object in these URLs: a member of organisation B reaches only B's figures (the
"other" side of the matrix is the same page; tests/outcomes/test_dashboard.py shows the figures stay apart)."""

from tests.security.matrix_rows.base import Row, statuses

AGGREGATES = statuses(200, 200, 403, 403)

ROWS = {
    "outcomes": Row("get", AGGREGATES),
    "outcomes-csv": Row("get", AGGREGATES),
    "outcomes-pdf": Row("get", AGGREGATES),
    "outcomes-rows-csv": Row("get", statuses(403, 200, 403, 403)),
}
