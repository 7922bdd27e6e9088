"""Rows for the fidelity pages (iptriad.fidelity.views). Ratings are for the clinicians who led the sessions and for
supervisors; administrators see none (403 on the pages without an object, 404 on an object). The matrix's rating
(`fidelity_rating`) is therapist_a's self-rating of their course's session 1; the group session is led by
facilitator_a (therapist_a supervises the group clinically but did not lead it, so it is not theirs to rate); the
membership named is therapist_a2's, whose fidelity page only a supervisor (or themselves) may see."""

from tests.security.matrix_rows.base import Row, statuses

RATERS = statuses(403, 200, 200, 200)
SUPERVISORS = statuses(403, 200, 403, 403)

ROWS = {
    "fidelity": Row("get", RATERS),
    "fidelity-rate-course": Row("get", statuses(404, 200, 200, 404), target="session"),
    "fidelity-rate-group": Row("get", statuses(404, 200, 404, 200), target="group_session"),
    "fidelity-rating": Row("get", statuses(404, 200, 200, 404), target="fidelity_rating"),
    "fidelity-people": Row("get", SUPERVISORS),
    "fidelity-person": Row("get", statuses(404, 200, 404, 404), target="membership"),
    "fidelity-forms": Row("get", SUPERVISORS),
    "fidelity-form-retire": Row("post", statuses(403, 302, 403, 403), form={"session_type": "individual:middle"}),
    "fidelity-sampling": Row("get", SUPERVISORS),
}
