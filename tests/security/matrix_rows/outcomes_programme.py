"""Rows for the programme lead's pages (iptriad.outcomes.programme_views): the list, and a programme's outcomes
dashboard with its aggregates CSV and PDF (a programme has no rows CSV: it is not routed). No member of the matrix
leads a programme: the list refuses them (403) and a programme, theirs or another organisation's, is absent to them
(404). What a lead sees, and that a lead reaches no record, is tests/outcomes/test_programme_pages.py and
tests/security/test_programme_leads.py."""

from tests.security.matrix_rows.base import Row, statuses

NOT_A_LEAD = statuses(404, 404, 404, 404)

ROWS = {
    "programme-list": Row("get", statuses(403, 403, 403, 403)),
    "programme-outcomes": Row("get", NOT_A_LEAD, target="programme"),
    "programme-outcomes-csv": Row("get", NOT_A_LEAD, target="programme"),
    "programme-outcomes-pdf": Row("get", NOT_A_LEAD, target="programme"),
}
