"""Rows for the JSON API at /api/v1: one per operation (URL names "api-..."), sent with a JSON body.

Anonymous callers get 401 (no redirect to a login page). A POST that creates answers 201; an action refused by
a service's rules answers 422 (the role got past the permission check: that is what the row shows). The same
rows drive tests/api/test_matrix.py, by token and by session, for every role and both organisations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.security.matrix_rows.base import CLINICAL_OBJECT, CLINICAL_PAGES, EVERYONE_OK, Row, statuses


@dataclass(frozen=True)
class ApiRow(Row):
    """A row whose request carries `json` as an application/json body (method may also be "patch")."""

    json: dict[str, Any] = field(default_factory=dict)
    anonymous: int = 401


CLIENT_PAGES = statuses(200, 200, 200, 403)
CLIENT_OBJECT = statuses(200, 200, 200, 404)  # to a facilitator, client records do not exist
CLINICAL_CREATED = statuses(404, 201, 201, 404)
NEW_CLIENT = {"identifier": "A-0900", "given_name": "Noor", "family_name": "Placeholm", "date_of_birth": "1979-08-30"}
PHQ9 = {"instrument": "phq9", "answers": [1, 1, 1, 1, 1, 1, 1, 2, 0]}
ALERT_CLOSE = {"assessment": "Passive thoughts, no plan or intent.", "risk_level": "low", "action": "safety_plan"}

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
    "api-course-close": ApiRow("post", CLINICAL_OBJECT, target="course", json={"reason": "dropped_out"}),
    "api-course-task": ApiRow(
        "post", CLINICAL_OBJECT, target="course", json={"task_id": "middle.problem_area_work", "done": True}
    ),
    "api-course-record": ApiRow("get", CLINICAL_OBJECT, target="course"),
}
