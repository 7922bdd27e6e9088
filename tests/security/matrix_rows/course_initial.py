"""Rows for the initial part of a course: assessment, inventory, timeline and Interpersonal Triad."""

from tests.security.matrix_rows.base import CLINICAL_OBJECT, Row

# Every page is a GET page (the forms and the removal confirmations); their POSTs are covered, role by role and
# organisation by organisation, in tests/courses/test_initial_pages.py.
ROWS = {
    "course-initial-assessment": Row("get", CLINICAL_OBJECT, target="course"),
    "course-initial-inventory": Row("get", CLINICAL_OBJECT, target="course"),
    "course-initial-person-add": Row("get", CLINICAL_OBJECT, target="course"),
    "course-initial-person-edit": Row("get", CLINICAL_OBJECT, target="person"),
    "course-initial-person-remove": Row("get", CLINICAL_OBJECT, target="person"),
    "course-initial-timeline": Row("get", CLINICAL_OBJECT, target="course"),
    "course-initial-event-add": Row("get", CLINICAL_OBJECT, target="course"),
    "course-initial-event-edit": Row("get", CLINICAL_OBJECT, target="event"),
    "course-initial-event-remove": Row("get", CLINICAL_OBJECT, target="event"),
    "course-initial-triad": Row("get", CLINICAL_OBJECT, target="course"),
}
