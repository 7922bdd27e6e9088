"""Rows for the sessions of a course: recording one (with the guide), seeing one, correcting one."""

from tests.security.matrix_rows.base import CLINICAL_OBJECT, Row

ROWS = {
    "course-session-new": Row("get", CLINICAL_OBJECT, target="course"),
    "course-session-detail": Row("get", CLINICAL_OBJECT, target="session"),
    "course-session-edit": Row("get", CLINICAL_OBJECT, target="session"),
}
