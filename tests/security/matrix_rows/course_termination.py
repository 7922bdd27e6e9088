"""Rows for the ending part of a course: the termination review and the goals' status, the relapse-prevention plan
and its printable copy, the maintenance plan."""

from tests.security.matrix_rows.base import CLINICAL_ACTION, CLINICAL_OBJECT, Row

ROWS: dict[str, Row] = {
    "course-termination-review": Row("get", CLINICAL_OBJECT, target="course"),
    # Goals' status can change in any open phase (the matrix course is in its middle phase): saved, redirected.
    "course-termination-goal": Row(
        "post", CLINICAL_ACTION, target="goal", form={"status": "in_progress", "status_note": "Two new friends"}
    ),
    "course-termination-plan": Row("get", CLINICAL_OBJECT, target="course"),
    "course-termination-plan-print": Row("get", CLINICAL_OBJECT, target="course"),
    "course-termination-maintenance": Row("get", CLINICAL_OBJECT, target="course"),
    # Refused in the middle phase's early sessions, which redirects with the message.
    "course-termination-maintenance-delete": Row("post", CLINICAL_ACTION, target="course"),
}
