"""Object-level authorization (IDOR / BOLA) on every API operation, enumerated from the OpenAPI document.

A member of organisation A, in every role, who sends organisation B's object ids (in the path, the query or the
body) gets 404 (422 for a reference inside a body) and changes nothing in the database. The request carries the
body that succeeds on organisation A's own object (the rows of tests/security/matrix_rows/api.py), so a refusal
cannot come from a malformed body instead of the scope check. The guards fail when an operation or an id field of
the document is not probed. Then: a revoked, an expired token and one of a deactivated user answer 401 on every
operation and change nothing; a token of organisation B sees nothing of organisation A in any list.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.test import Client as HttpClient
from django.utils import timezone

from iptriad.accounts.models import Membership, Role
from iptriad.api.models import ApiToken
from iptriad.api.schemas.common import MAX_ID
from iptriad.api.urls import api
from iptriad.audit.models import AuditChainHead, AuditEvent, RefusalWindow
from iptriad.core.fidelity import group_checklist, individual_checklist
from tests.api.conftest import token_for
from tests.conftest import Personas, make_client
from tests.security.matrix_rows.api import NEW_CLIENT, PHQ9, ROWS, ApiRow
from tests.security.matrix_rows.base import MatrixObjects

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": [{"field": None, "message": "Not found."}]}
DOCUMENT: dict[str, Any] = api.get_openapi_schema()
PATH_PARAMETER = re.compile(r"{(\w+)}")
# The object each path parameter names (MatrixObjects.target); a new parameter must be added here.
PATH_OBJECTS = {
    "client_id": "client",
    "administration_id": "administration",
    "alert_id": "alert",
    "link_id": "link",
    "course_id": "course",
    "person_id": "person",
    "event_id": "event",
    "problem_area_id": "problem_area",
    "goal_id": "goal",
    "session_id": "session",
    "group_id": "group",
    "member_id": "group_member",
    "group_session_id": "group_session",
    "entry_id": "supervision_entry",
    "action_id": "supervision_action",
    "rating_id": "fidelity_rating",
    "membership_id": "competency_member",
}
# Rows whose only change is bookkeeping of the request itself, not of the object addressed.
BOOKKEEPING = {"sessions.Session", "axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog"}


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as in the document: /api/v1/clients/{client_id}
    operation_id: str
    has_body: bool

    @property
    def row(self) -> ApiRow:
        row = ROWS["api-" + self.operation_id.replace("_", "-")]
        assert isinstance(row, ApiRow)
        return row

    @property
    def parameters(self) -> list[str]:
        return PATH_PARAMETER.findall(self.path)

    def url(self, ids: Callable[[str], int | str]) -> str:
        return PATH_PARAMETER.sub(lambda match: str(ids(PATH_OBJECTS[match.group(1)])), self.path)

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _operations() -> list[Operation]:
    return [
        Operation(method, path, operation["operationId"], "requestBody" in operation)
        for path, methods in DOCUMENT["paths"].items()
        for method, operation in methods.items()
    ]


OPERATIONS = _operations()
OBJECT_OPERATIONS = [operation for operation in OPERATIONS if operation.parameters]
LIST_OPERATIONS = [operation for operation in OPERATIONS if operation.method == "get" and not operation.parameters]


def send(http: HttpClient, operation: Operation, url: str, token: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if operation.method == "get":
        return http.get(url, body or {}, headers=headers)
    payload = operation.row.json if body is None else body
    return getattr(http, operation.method)(url, payload, content_type="application/json", headers=headers)


def database_state(personas: Personas) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, but for the calling token's last use and audit events outside organisation B (a
    refused request may be audited in the caller's own organisation, or in the system chain when the token names
    no one; never in the other's). The chain heads follow the events: those outside organisation B advance with
    each audited refusal, organisation B's must not move."""
    state: dict[str, list[dict[str, Any]]] = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.proxy or not model._meta.managed or label in BOOKKEEPING:
            continue
        rows = model._base_manager.order_by("pk")
        if model is AuditEvent or model is AuditChainHead or model is RefusalWindow:
            rows = rows.filter(organisation=personas.org_b)
        values = list(rows.values())
        if model is ApiToken:
            values = [{**row, "last_used_at": None} for row in values]
        state[label] = values
    # The events left out above may only grow: a refusal adds to the trail, it never rewrites it.
    elsewhere = AuditEvent.objects.exclude(organisation=personas.org_b).order_by("pk")
    state[AUDIT_ELSEWHERE] = [dict(row) for row in elsewhere.values()]
    return state


AUDIT_ELSEWHERE = "audit events outside organisation B"


def assert_unchanged(before: dict[str, list[dict[str, Any]]], personas: Personas) -> None:
    """Every table as it was, but for audit events added outside organisation B (and their chains' heads)."""
    after = database_state(personas)
    earlier, later = before[AUDIT_ELSEWHERE], after[AUDIT_ELSEWHERE]
    assert later[: len(earlier)] == earlier, "an audit event outside organisation B changed or went"
    assert {k: v for k, v in after.items() if k != AUDIT_ELSEWHERE} == {
        k: v for k, v in before.items() if k != AUDIT_ELSEWHERE
    }


# Guards: the document and the probes below must not drift apart.


def test_every_operation_with_an_id_in_its_path_is_probed():
    assert len(OBJECT_OPERATIONS) >= 40
    for operation in OBJECT_OPERATIONS:
        unknown = set(operation.parameters) - set(PATH_OBJECTS)
        assert not unknown, f"{operation}: no object of organisation B for {unknown} (add it to PATH_OBJECTS)"
        assert operation.row.target, f"{operation}: its matrix row names no object"
        if operation.has_body:
            assert operation.row.json, f"{operation}: its matrix row has no body that succeeds"


def _is_id(schema: dict[str, Any]) -> bool:
    """The `Id` type (iptriad.api.schemas.common): a reference to a stored row, alone, nullable or in a list."""
    if "$ref" in schema:
        return _is_id(DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    if schema.get("minimum") == 1 and schema.get("maximum") == MAX_ID:
        return True
    if "items" in schema:
        return _is_id(schema["items"])
    return any(_is_id(option) for option in schema.get("anyOf", []))


def _id_fields() -> set[tuple[str, str]]:
    """(operation id, field) of every id sent in a query or a body."""
    found = set()
    schemas = DOCUMENT["components"]["schemas"]
    for methods in DOCUMENT["paths"].values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path" and _is_id(parameter["schema"]):
                    found.add((operation["operationId"], parameter["name"]))
            if "requestBody" in operation:
                reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                for name, schema in schemas[reference.rsplit("/", 1)[-1]]["properties"].items():
                    if _is_id(schema):
                        found.add((operation["operationId"], name))
    return found


def test_every_id_in_a_query_or_a_body_is_probed():
    assert _id_fields() == set(FOREIGN_REFERENCES)


# Organisation B's ids in the path.


@pytest.mark.parametrize("operation", OBJECT_OPERATIONS, ids=str)
def test_another_organisations_object_is_not_found_and_unchanged(
    personas: Personas, objects: MatrixObjects, operation: Operation
):
    def other(name: str) -> int | str:
        return objects.target(name, False, personas)

    def own(name: str) -> int | str:
        return objects.target(name, True, personas)

    http = HttpClient()
    tokens = {role: token_for(personas.member_of_a(role), personas.org_a) for role in Role}
    before = database_state(personas)
    for role, token in tokens.items():
        response = send(http, operation, operation.url(other), token)
        assert response.status_code == 404, (role, response.content)
        assert response.json() == NOT_FOUND
    assert_unchanged(before, personas)
    # The same request on organisation A's own object gets through: the 404 above came from the scope.
    response = send(http, operation, operation.url(own), tokens[Role.THERAPIST])
    assert response.status_code == operation.row.expected[Role.THERAPIST] != 404, response.content


# Organisation B's ids in a query or a body of a request on organisation A's own object.


@dataclass(frozen=True)
class Reference:
    """A request of organisation A's therapist that names one of organisation B's objects outside its path."""

    operation_id: str
    field: str
    target: str  # what of organisation A the path names (MatrixObjects.target); "" for none
    body: Callable[[Personas, MatrixObjects], dict[str, Any]]
    fresh_client: bool = False  # addressed to a new client of A without a course (opening one is then allowed)
    role: Role = Role.THERAPIST  # who sends it: a role the operation lets through


def _b(personas: Personas, objects: MatrixObjects, name: str) -> int:
    value = objects.target(name, False, personas)
    assert isinstance(value, int)
    return value


def _new_group(personas: Personas, **foreign: int) -> dict[str, Any]:
    """A group organisation A may create, but for the foreign ids given."""
    return {
        "name": "Probe group",
        "format_code": "who_8",
        "facilitator": personas.facilitator_a.pk,
        "supervisor": personas.therapist_a.pk,
        "starts_on": timezone.localdate().isoformat(),
        "capacity": 10,
        **foreign,
    }


ForeignId = Callable[[Personas, MatrixObjects], int]


def _group_body_create(personas: Personas, objects: MatrixObjects, *, foreign: ForeignId, field: str) -> dict[str, Any]:
    return _new_group(personas, **{field: foreign(personas, objects)})


def _group_body_update(personas: Personas, objects: MatrixObjects, *, foreign: ForeignId, field: str) -> dict[str, Any]:
    return {field: foreign(personas, objects)}


def _group_references() -> dict[tuple[str, str], Reference]:
    """The users and the site a group names, on creating and on changing it (by a supervisor: set-up)."""
    references = {}
    for field in ("facilitator", "co_facilitator", "supervisor", "site"):

        def foreign(personas: Personas, objects: MatrixObjects, field: str = field) -> int:
            return _b(personas, objects, "site") if field == "site" else personas.therapist_b.pk

        references[("group_create", field)] = Reference(
            "group_create",
            field,
            "",
            functools.partial(_group_body_create, foreign=foreign, field=field),
            role=Role.SUPERVISOR,
        )
        references[("group_update", field)] = Reference(
            "group_update",
            field,
            "group",
            functools.partial(_group_body_update, foreign=foreign, field=field),
            role=Role.SUPERVISOR,
        )
    return references


def _fidelity_filter(personas: Personas, objects: MatrixObjects, *, field: str, target: str) -> dict[str, Any]:
    return {field: _b(personas, objects, target)}


def _fidelity_rating(personas: Personas, objects: MatrixObjects, *, field: str, target: str) -> dict[str, Any]:
    """A supervisor's rating with every item done (the matrix's course session 1 and group session 1 are initial)."""
    checklist = individual_checklist("initial") if field == "course_session" else group_checklist("initial")
    return {field: _b(personas, objects, target), "answers": dict.fromkeys(checklist.keys, "done")}


def _fidelity_references() -> dict[tuple[str, str], Reference]:
    """The clinician and sessions a list of fidelity ratings filters by; the session a supervisor rates."""
    references = {
        ("fidelity_rating_list", "clinician"): Reference(
            "fidelity_rating_list", "clinician", "", lambda personas, objects: {"clinician": personas.therapist_b.pk}
        ),
    }
    for field, target in (("course_session", "session"), ("group_session", "group_session")):
        references[("fidelity_rating_list", field)] = Reference(
            "fidelity_rating_list", field, "", functools.partial(_fidelity_filter, field=field, target=target)
        )
        references[("fidelity_rating_create", field)] = Reference(
            "fidelity_rating_create",
            field,
            "",
            functools.partial(_fidelity_rating, field=field, target=target),
            role=Role.SUPERVISOR,
        )
    return references


FOREIGN_REFERENCES: dict[tuple[str, str], Reference] = {
    ("alert_list", "client"): Reference(
        "alert_list", "client", "", lambda personas, objects: {"client": personas.client_b.pk}
    ),
    ("client_create", "therapist"): Reference(
        "client_create", "therapist", "", lambda personas, objects: {**NEW_CLIENT, "therapist": personas.therapist_b.pk}
    ),
    ("client_update", "therapist"): Reference(
        "client_update", "therapist", "client", lambda personas, objects: {"therapist": personas.therapist_b.pk}
    ),
    ("course_open", "therapist"): Reference(
        "course_open",
        "therapist",
        "client",
        lambda personas, objects: {"adaptation": "standard", "therapist": personas.therapist_b.pk},
        fresh_client=True,
    ),
    ("administration_record", "session"): Reference(
        "administration_record",
        "session",
        "client",
        lambda personas, objects: {**PHQ9, "session": _b(personas, objects, "session")},
    ),
    ("event_create", "person"): Reference(
        "event_create",
        "person",
        "course",
        lambda personas, objects: {
            "occurred_on": "2026-06-01",
            "kind": "symptom_onset",
            "description": "Low mood began",
            "person": _b(personas, objects, "person"),
        },
    ),
    ("event_update", "person"): Reference(
        "event_update", "person", "event", lambda personas, objects: {"person": _b(personas, objects, "person")}
    ),
    ("triad_save", "support_people"): Reference(
        "triad_save",
        "support_people",
        "course",
        lambda personas, objects: {"acute_crisis": "The move", "support_people": [_b(personas, objects, "person")]},
    ),
    ("group_list", "site"): Reference(
        "group_list", "site", "", lambda personas, objects: {"site": _b(personas, objects, "site")}
    ),
    ("group_member_add", "client"): Reference(
        "group_member_add",
        "client",
        "group",
        lambda personas, objects: {"client": personas.client_b.pk},
        role=Role.SUPERVISOR,
    ),
    **_group_references(),
    # The cases and action owners of a new entry are nested (not walked here): tests/supervision/test_api.py.
    ("supervision_entry_create", "attendees"): Reference(
        "supervision_entry_create",
        "attendees",
        "",
        lambda personas, objects: {
            "held_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "attendees": [personas.therapist_b.pk],
        },
        role=Role.SUPERVISOR,
    ),
    **_fidelity_references(),
}


@pytest.mark.parametrize("key", sorted(FOREIGN_REFERENCES), ids="-".join)
def test_another_organisations_id_in_a_query_or_a_body_is_refused(
    personas: Personas, objects: MatrixObjects, key: tuple[str, str]
):
    reference = FOREIGN_REFERENCES[key]
    operation = next(operation for operation in OPERATIONS if operation.operation_id == reference.operation_id)
    client = make_client(personas.org_a, "A-0777", personas.therapist_a) if reference.fresh_client else None

    def own(name: str) -> int | str:
        if name == "client" and client is not None:
            return client.pk
        return objects.target(name, True, personas)

    token = token_for(personas.member_of_a(reference.role), personas.org_a)
    body = reference.body(personas, objects)
    before = database_state(personas)
    response = send(HttpClient(), operation, operation.url(own), token, body)
    if response.status_code == 422:
        assert reference.field in {error["field"] for error in response.json()["detail"]}, response.content
    else:
        assert response.status_code == 404, response.content
    assert_unchanged(before, personas)
    # The same request naming organisation A's own object instead is accepted: the refusal came from the scope.
    own_body = {
        name: (_own_equivalent(personas, objects, reference.field, value) if name == reference.field else value)
        for name, value in body.items()
    }
    response = send(HttpClient(), operation, operation.url(own), token, own_body)
    assert response.status_code in (200, 201), response.content


def _own_equivalent(personas: Personas, objects: MatrixObjects, field: str, value: Any) -> Any:
    """Organisation A's counterpart of one of organisation B's ids."""
    counterparts = {
        personas.client_b.pk: personas.client_a.pk,
        personas.therapist_b.pk: personas.therapist_a.pk,
        _b(personas, objects, "session"): objects.target("session", True, personas),
        _b(personas, objects, "person"): objects.target("person", True, personas),
        _b(personas, objects, "site"): objects.target("site", True, personas),
        _b(personas, objects, "group_session"): objects.target("group_session", True, personas),
    }
    if isinstance(value, list):
        return [counterparts[item] for item in value]
    return counterparts[value]


# Tokens that no longer hold.


def _revoked(personas: Personas) -> str:
    token = token_for(personas.therapist_a, personas.org_a)
    ApiToken.objects.filter(user=personas.therapist_a).update(revoked_at=timezone.now())
    return token


def _expired(personas: Personas) -> str:
    token = token_for(personas.therapist_a, personas.org_a)
    ApiToken.objects.filter(user=personas.therapist_a).update(
        created_at=timezone.now() - dt.timedelta(days=31), expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    return token


def _of_a_deactivated_user(personas: Personas) -> str:
    token = token_for(personas.therapist_a, personas.org_a)
    personas.therapist_a.is_active = False
    personas.therapist_a.save(update_fields=["is_active"])
    return token


def _of_a_deactivated_membership(personas: Personas) -> str:
    token = token_for(personas.therapist_a, personas.org_a)
    Membership.objects.filter(user=personas.therapist_a).update(is_active=False)
    return token


@pytest.mark.parametrize("make_token", [_revoked, _expired, _of_a_deactivated_user, _of_a_deactivated_membership])
def test_a_token_that_no_longer_holds_answers_401_on_every_operation(personas, objects, make_token):
    token = make_token(personas)
    before = database_state(personas)
    http = HttpClient()
    for operation in OPERATIONS:
        if operation.row.public:
            continue  # the document itself
        response = send(http, operation, operation.url(lambda name: objects.target(name, True, personas)), token)
        assert response.status_code == 401, (str(operation), response.content)
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert_unchanged(before, personas)


# Lists.


@pytest.mark.parametrize("role", [Role.ADMIN, Role.THERAPIST])
def test_a_token_of_another_organisation_lists_nothing_of_organisation_a(personas, objects, role):
    member_of_b = personas.admin_b if role == Role.ADMIN else personas.therapist_b
    token = token_for(member_of_b, personas.org_b)
    own_a = [personas.client_a.identifier, personas.client_a.family_name, personas.therapist_a.full_name]
    http = HttpClient()
    shown_b = False
    assert len(LIST_OPERATIONS) >= 5
    for operation in LIST_OPERATIONS:
        response = send(http, operation, operation.path, token)
        assert response.status_code in (200, 403), (str(operation), response.content)
        for marker in own_a:
            assert marker.encode() not in response.content, (str(operation), marker)
        shown_b = shown_b or personas.client_b.family_name.encode() in response.content
    assert shown_b, "organisation B's own client shows in no list: the lists prove nothing"
