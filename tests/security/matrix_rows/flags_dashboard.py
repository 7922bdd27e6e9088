"""Rows for the supervision dashboard (iptriad.flags.dashboard): a supervisor sees everyone; a therapist or a
facilitator their own row (the person page of another is 404, as absent); an administrator sees no flags at all."""

from tests.security.matrix_rows.base import Row, statuses

ROWS = {
    "supervision-dashboard": Row("get", statuses(403, 200, 200, 200)),
    # The target is therapist_a, the matrix's therapist: their own page; the facilitator's is another's (404).
    "supervision-dashboard-person": Row("get", statuses(404, 200, 200, 404), target="clinician"),
}
