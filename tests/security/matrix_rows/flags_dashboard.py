"""Rows for the supervision dashboard (iptriad.flags.dashboard): a supervisor sees everyone; a therapist or a
facilitator their own row (the person page of another is 404, as absent); an administrator sees no flags at all."""

from tests.security.matrix_rows.base import Row, statuses

ROWS = {
    "supervision-dashboard": Row("get", statuses(403, 200, 200, 200)),
    # A person's page is addressed by their membership (a row of the organisation); the matrix's membership is
    # therapist_a2's, so the matrix's therapist (therapist_a) and facilitator see another's page: 404.
    "supervision-dashboard-person": Row("get", statuses(404, 200, 404, 404), target="membership"),
}
