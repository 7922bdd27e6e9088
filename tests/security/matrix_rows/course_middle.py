"""Rows for the focus part of a course: problem areas and goals, the formulation, the contract and printables.

The course of the matrix (tests.courses.factories.full_course) is in its middle phase, so removing a problem area
or a goal is refused: the action still redirects (with the refusal as a message).
"""

from tests.security.matrix_rows.base import CLINICAL_ACTION, CLINICAL_OBJECT, Row

ROWS: dict[str, Row] = {
    "course-middle-areas": Row("get", CLINICAL_OBJECT, target="course"),
    "course-middle-area": Row("get", CLINICAL_OBJECT, target="problem_area"),
    "course-middle-area-end": Row(
        "post", CLINICAL_ACTION, target="problem_area", form={"end_note": "Agreed to focus on the dispute instead"}
    ),
    "course-middle-area-remove": Row("post", CLINICAL_ACTION, target="problem_area"),
    "course-middle-goal-add": Row(
        "post", CLINICAL_ACTION, target="problem_area", form={"text": "Join a walking group"}
    ),
    "course-middle-goal": Row("get", CLINICAL_OBJECT, target="goal"),
    "course-middle-goal-remove": Row("post", CLINICAL_ACTION, target="goal"),
    "course-middle-formulation": Row("get", CLINICAL_OBJECT, target="course"),
    "course-middle-formulation-print": Row("get", CLINICAL_OBJECT, target="course"),
    "course-middle-contract": Row("get", CLINICAL_OBJECT, target="course"),
    "course-middle-contract-print": Row("get", CLINICAL_OBJECT, target="course"),
}
