"""Rows for the focus part of a course: problem areas and goals, the formulation, the contract and printables.

The course of the matrix (tests.courses.factories.full_course) is in its middle phase, so removing a problem area
or a goal is refused: the action still redirects (with the refusal as a message).
"""

from tests.security.matrix_rows.base import CLINICAL_ACTION, CLINICAL_OBJECT, Row

ROWS: dict[str, Row] = {
    "course-focus-areas": Row("get", CLINICAL_OBJECT, target="course"),
    "course-focus-area": Row("get", CLINICAL_OBJECT, target="problem_area"),
    "course-focus-area-end": Row(
        "post", CLINICAL_ACTION, target="problem_area", form={"end_note": "Agreed to focus on the dispute instead"}
    ),
    "course-focus-area-remove": Row("post", CLINICAL_ACTION, target="problem_area"),
    "course-focus-goal-add": Row("post", CLINICAL_ACTION, target="problem_area", form={"text": "Join a walking group"}),
    "course-focus-goal": Row("get", CLINICAL_OBJECT, target="goal"),
    "course-focus-goal-remove": Row("post", CLINICAL_ACTION, target="goal"),
    "course-focus-formulation": Row("get", CLINICAL_OBJECT, target="course"),
    "course-focus-formulation-print": Row("get", CLINICAL_OBJECT, target="course"),
    "course-focus-contract": Row("get", CLINICAL_OBJECT, target="course"),
    "course-focus-contract-print": Row("get", CLINICAL_OBJECT, target="course"),
}
