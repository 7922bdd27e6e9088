"""Rows for the JSON API at /api/v1: one per operation (URL names "api-..."), sent with a JSON body.

Anonymous callers get 401 (no redirect to a login page). A POST that creates answers 201, a DELETE 204; an action
refused by a service's rules answers 422 (the role got past the permission check: that is what the row shows). The
same rows drive tests/api/test_matrix.py, by token and by session, for every role and both organisations.

The course of the matrix (tests.courses.factories.full_course with termination_records) is in its middle phase with an
agreed contract of 12 sessions, one held: removing a problem area or a goal is refused, and so is writing the
ending (too early), while the maintenance plan can still be removed.
"""

from __future__ import annotations

from tests.security.matrix_rows import competency, fidelity_api, flags_api, groups_api, supervision_api
from tests.security.matrix_rows.api_row import ApiRow
from tests.security.matrix_rows.base import CLINICAL_OBJECT, CLINICAL_PAGES, EVERYONE_OK, Row, statuses

__all__ = ["ROWS", "ApiRow"]


CLIENT_PAGES = statuses(200, 200, 200, 403)
CLIENT_OBJECT = statuses(200, 200, 200, 404)  # to a facilitator, client records do not exist
CLINICAL_CREATED = statuses(404, 201, 201, 404)
CLINICAL_DELETED = statuses(404, 204, 204, 404)
CLINICAL_REFUSED = statuses(404, 422, 422, 404)  # let through to the service, which refuses it
NEW_CLIENT = {"identifier": "A-0900", "given_name": "Noor", "family_name": "Placeholm", "date_of_birth": "1979-08-30"}
PHQ9 = {"instrument": "phq9", "answers": [1, 1, 1, 1, 1, 1, 1, 2, 0]}
ALERT_CLOSE = {"assessment": "Passive thoughts, no plan or intent.", "risk_level": "low", "action": "safety_plan"}
CONTRACT_RENEGOTIATED = {
    "sessions_planned": 14,
    "frequency": "weekly",
    "session_minutes": 50,
    "starts_on": "2026-09-01",
    "agreed_on": "2026-09-08",
    "renegotiation_note": "Two more sessions for the dispute with the landlord.",
}
SESSION = {"held_on": "2026-09-08", "homework_review": "none_set", "risk_check": "no_concern", "note": "Opened well."}
REVIEW = {"progress_summary": "Mood lifted; PHQ-9 from 16 to 6.", "reviewed_on": "2026-09-08"}
PLAN = {
    "warning_signs": "Sleeping badly",
    "what_helps": "Calling a friend",
    "people_to_turn_to": "Sam",
    "if_symptoms_return": "Call the clinic",
    "emergency_contacts": "Local emergency number",
}

ROWS: dict[str, Row] = {
    # The OpenAPI document holds no client data: public, like the login page.
    "api-openapi": ApiRow("get", EVERYONE_OK, anonymous=200, public=True),
    "api-root": ApiRow("get", statuses(404, 404, 404, 404), anonymous=404, public=True),
    "api-client-list": ApiRow("get", CLIENT_PAGES),
    "api-client-create": ApiRow("post", statuses(201, 201, 201, 403), json=NEW_CLIENT),
    "api-client-get": ApiRow("get", CLIENT_OBJECT, target="client"),
    "api-client-update": ApiRow("patch", CLIENT_OBJECT, target="client", json={"gender": "non-binary"}),
    "api-client-archive": ApiRow("post", CLIENT_OBJECT, target="client"),
    # client_a is active, so reactivating is refused by the service: 422 shows the role was let through.
    "api-client-reactivate": ApiRow("post", statuses(422, 422, 422, 404), target="client"),
    "api-instrument-list": ApiRow("get", EVERYONE_OK),
    "api-administration-list": ApiRow("get", CLINICAL_OBJECT, target="client"),
    "api-administration-record": ApiRow("post", CLINICAL_CREATED, target="client", json=PHQ9),
    "api-administration-get": ApiRow("get", CLINICAL_OBJECT, target="administration"),
    "api-fhir-export": ApiRow("get", CLINICAL_OBJECT, target="client"),
    "api-link-create": ApiRow("post", CLINICAL_CREATED, target="client", json={"instrument": "phq9"}),
    "api-link-withdraw": ApiRow("post", CLINICAL_OBJECT, target="link"),
    "api-alert-list": ApiRow("get", CLINICAL_PAGES),
    "api-alert-get": ApiRow("get", CLINICAL_OBJECT, target="alert"),
    "api-alert-close": ApiRow("post", CLINICAL_OBJECT, target="alert", json=ALERT_CLOSE),
    "api-alert-raise": ApiRow("post", CLINICAL_CREATED, target="client", json={"concern": "Said they feel hopeless."}),
    "api-adaptation-list": ApiRow("get", EVERYONE_OK),
    "api-caseload": ApiRow("get", CLINICAL_PAGES),
    "api-course-list": ApiRow("get", statuses(403, 200, 200, 404), target="client"),
    # client_a's course is open, so opening another is refused by the service (422) for the roles let through.
    "api-course-open": ApiRow("post", statuses(403, 422, 422, 404), target="client", json={"adaptation": "standard"}),
    "api-course-get": ApiRow("get", CLINICAL_OBJECT, target="course"),
    "api-course-phase": ApiRow("post", CLINICAL_OBJECT, target="course", json={"to_phase": "termination"}),
    # client_a has an open risk alert (the matrix's PHQ-9 with item 9), which keeps the course open: the service
    # refuses to close it (422) for the roles let through.
    "api-course-close": ApiRow("post", CLINICAL_REFUSED, target="course", json={"reason": "dropped_out"}),
    "api-course-task": ApiRow(
        "post", CLINICAL_OBJECT, target="course", json={"task_id": "middle.problem_area_work", "done": True}
    ),
    "api-course-record": ApiRow("get", CLINICAL_OBJECT, target="course"),
    "api-course-next-session": ApiRow("put", CLINICAL_OBJECT, target="course", json={"next_session_at": None}),
    # The initial phase's records.
    "api-assessment-save": ApiRow(
        "put", CLINICAL_OBJECT, target="course", json={"diagnosis_code": "F32.1", "suicide_risk_screen": "low"}
    ),
    "api-person-create": ApiRow(
        "post", CLINICAL_CREATED, target="course", json={"name": "Ali", "relationship": "friend", "ring": 2}
    ),
    "api-person-get": ApiRow("get", CLINICAL_OBJECT, target="person"),
    "api-person-update": ApiRow("patch", CLINICAL_OBJECT, target="person", json={"satisfying": "Kind, patient"}),
    "api-person-delete": ApiRow("delete", CLINICAL_DELETED, target="person"),
    "api-event-create": ApiRow(
        "post",
        CLINICAL_CREATED,
        target="course",
        json={"occurred_on": "2026-06-01", "kind": "symptom_onset", "description": "Low mood began"},
    ),
    "api-event-get": ApiRow("get", CLINICAL_OBJECT, target="event"),
    "api-event-update": ApiRow("patch", CLINICAL_OBJECT, target="event", json={"description": "Moved to the city"}),
    "api-event-delete": ApiRow("delete", CLINICAL_DELETED, target="event"),
    "api-triad-save": ApiRow("put", CLINICAL_OBJECT, target="course", json={"acute_crisis": "The move"}),
    # The focus.
    "api-problem-area-choose": ApiRow(
        "post", CLINICAL_CREATED, target="course", json={"area": "grief", "evidence": "Her mother died in May."}
    ),
    "api-problem-area-get": ApiRow("get", CLINICAL_OBJECT, target="problem_area"),
    "api-problem-area-update": ApiRow(
        "patch", CLINICAL_OBJECT, target="problem_area", json={"evidence": "Low mood since the move"}
    ),
    "api-problem-area-end": ApiRow(
        "post", CLINICAL_OBJECT, target="problem_area", json={"end_note": "Agreed to focus on the dispute instead"}
    ),
    "api-problem-area-remove": ApiRow("delete", CLINICAL_REFUSED, target="problem_area"),  # the middle phase
    "api-goal-add": ApiRow("post", CLINICAL_CREATED, target="problem_area", json={"text": "Join a walking group"}),
    "api-goal-get": ApiRow("get", CLINICAL_OBJECT, target="goal"),
    "api-goal-update": ApiRow("patch", CLINICAL_OBJECT, target="goal", json={"status": "in_progress"}),
    "api-goal-remove": ApiRow("delete", CLINICAL_REFUSED, target="goal"),  # the middle phase
    "api-formulation-draft": ApiRow("get", CLINICAL_OBJECT, target="course"),
    "api-formulation-save": ApiRow(
        "put",
        CLINICAL_OBJECT,
        target="course",
        json={"text": "Your depression began after the move.", "shared_on": "2026-09-01", "agreed_on": "2026-09-01"},
    ),
    "api-contract-save": ApiRow("put", CLINICAL_OBJECT, target="course", json=CONTRACT_RENEGOTIATED),
    # Sessions.
    "api-session-list": ApiRow("get", CLINICAL_OBJECT, target="course"),
    "api-session-record": ApiRow("post", CLINICAL_CREATED, target="course", json=SESSION),
    "api-session-get": ApiRow("get", CLINICAL_OBJECT, target="session"),
    "api-session-update": ApiRow(
        "patch", CLINICAL_OBJECT, target="session", json={"homework_review": "none_set", "risk_check": "no_concern"}
    ),
    # The ending: too early in the middle phase with 11 contracted sessions to go.
    "api-termination-review-save": ApiRow("put", CLINICAL_REFUSED, target="course", json=REVIEW),
    "api-goal-status": ApiRow(
        "patch", CLINICAL_OBJECT, target="goal", json={"status": "in_progress", "status_note": "Two new friends"}
    ),
    "api-relapse-prevention-plan-save": ApiRow("put", CLINICAL_REFUSED, target="course", json=PLAN),
    "api-maintenance-plan-save": ApiRow(
        "put",
        CLINICAL_REFUSED,
        target="course",
        json={"frequency": "monthly", "sessions_planned": 6, "starts_on": "2026-12-01"},
    ),
    "api-maintenance-plan-delete": ApiRow("delete", CLINICAL_DELETED, target="course"),
}
# Group IPT's operations (their own module, kept here so every API test walks them; not in matrix_rows._MODULES).
ROWS |= groups_api.ROWS
ROWS |= supervision_api.ROWS
ROWS |= flags_api.ROWS
# Fidelity's operations (issue 13), likewise.
ROWS |= fidelity_api.ROWS
# Competency records' operations (tests/security/matrix_rows/competency.py).
ROWS |= competency.API_ROWS
