"""Rows for the course itself: opening, the course page, phases, tasks, closing, the caseload."""

from tests.security.matrix_rows.base import CLINICAL_ACTION, CLINICAL_OBJECT, CLINICAL_PAGES, Row, statuses

ROWS = {
    # Admins see the client but may not open a course (403); to a facilitator the client does not exist (404).
    "course-open": Row("get", statuses(403, 200, 200, 404), target="client"),
    "course-detail": Row("get", CLINICAL_OBJECT, target="course"),
    "course-phase": Row("post", CLINICAL_ACTION, target="course", form={"to_phase": "termination"}),
    "course-task": Row(
        "post", CLINICAL_ACTION, target="course", form={"task_id": "middle.problem_area_work", "done": "on"}
    ),
    "course-close": Row("get", CLINICAL_OBJECT, target="course"),
    "course-next-session": Row("post", CLINICAL_ACTION, target="course", form={"clear": "1"}),
    "caseload": Row("get", CLINICAL_PAGES),
}
