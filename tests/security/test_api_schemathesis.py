"""Fuzz every operation of the API from its own OpenAPI document with schemathesis: no input makes it fail (5xx),
and every answer is one the document declares (status code, content type, body schema); invalid input is refused.

It runs in-process, through Django's WSGI application (no server), with a real API token of a therapist and of an
admin of organisation A, whose organisation holds a client with a full course (tests.security.matrix_rows.base).
Each operation is one pytest item, so the rows its cases write are rolled back with that test's transaction.
Most generated cases get the id of one of these real objects in their path, so they reach the services' own
validation rather than only the 404 of an unknown id. Generation is derandomised with a bounded number of examples
per operation, so a run is reproducible. Last, every integer of every body is sent at the edges of 32 and 64 bits,
which PostgreSQL would refuse with an error if one reached it unchecked.
"""

from __future__ import annotations

import json
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from django.test import Client as HttpClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from iptriad.accounts.models import Role, User
from iptriad.api.schemas.common import MAX_ID
from iptriad.api.urls import api
from tests.api.conftest import token_for
from tests.conftest import Personas
from tests.security.matrix_rows.api import ROWS, ApiRow
from tests.security.matrix_rows.base import MatrixObjects

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    ignored_auth,
]

APP = WSGIHandler()


def _schema(*, coverage: bool, examples: int) -> Any:
    """The document (as served: tests/api/test_schema.py), with `examples` generated cases per operation, and the
    coverage phase's (boundary and invalid values of every parameter and field, a fixed set) when asked. It is read
    from the API object rather than requested, so collecting the tests sends no request."""
    config = {
        "generation": {
            "max-examples": examples,
            "deterministic": True,
            # The token below authenticates; a generated cookie or header would only test the generator.
            "with-security-parameters": False,
        },
        "phases": {"examples": {"enabled": False}, "coverage": {"enabled": coverage}},
    }
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema(), config=schemathesis.Config.from_dict(config))
    schema.app = APP  # cases are sent to the WSGI application in-process
    return schema


# The therapist reaches every record, so their run goes deep; an admin is refused most clinical records (404).
THERAPIST_SCHEMA = _schema(coverage=True, examples=10)
ADMIN_SCHEMA = _schema(coverage=False, examples=8)
# One pytest test reruns its operation's examples on the same database: the fixtures below are made once per
# operation on purpose (a fresh organisation per example would multiply the run time for no finding).
FUZZ_SETTINGS = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    derandomize=True,
    database=None,
    deadline=None,
)


class Caller:
    """Who sends the cases (a bearer token) and the real object ids that replace generated path ids."""

    def __init__(self, personas: Personas, objects: MatrixObjects, user: User) -> None:
        self.headers = {"Authorization": f"Bearer {token_for(user, personas.org_a)}"}
        self.ids = self.ids_of(personas, objects)

    @staticmethod
    def ids_of(personas: Personas, objects: MatrixObjects) -> dict[str, int]:
        """Organisation A's object for each path parameter of the document."""
        course = objects.course_a
        return {
            "client_id": personas.client_a.pk,
            "administration_id": objects.clinical.administration_a.pk,
            "alert_id": objects.clinical.alert_a.pk,
            "link_id": objects.clinical.link_a.pk,
            "course_id": course.course.pk,
            "person_id": course.person.pk,
            "event_id": course.event.pk,
            "problem_area_id": course.problem_area.pk,
            "goal_id": course.goal.pk,
            "session_id": course.session.pk,
            "group_id": objects.groups_a.group.pk,
            "member_id": objects.groups_a.member.pk,
            "group_session_id": objects.groups_a.session.pk,
            "entry_id": objects.supervision_a.entry.pk,
            "action_id": objects.supervision_a.action.pk,
            "rating_id": objects.fidelity_a.pk,
            "membership_id": objects.competency_a.membership.pk,
        }

    def send(self, case: schemathesis.Case[Any]) -> None:
        if case.path_parameters and self._addresses_a_real_object(case):
            for name in case.path_parameters:
                case.path_parameters[name] = self.ids[name]
        response = case.call(headers=self.headers)
        case.validate_response(response, checks=CHECKS, headers=self.headers)

    @staticmethod
    def _addresses_a_real_object(case: schemathesis.Case[Any]) -> bool:
        """Three valid cases in four; decided by the case itself, so hypothesis replays a failure identically."""
        if case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH):
            return False  # an invalid id stays, to be refused
        return zlib.crc32(repr(sorted(case.path_parameters.items())).encode()) % 4 != 0


@pytest.fixture
def server_errors() -> Iterator[list[BaseException]]:
    """The exceptions behind any 500, so a failure shows the traceback rather than only the status."""
    caught: list[BaseException] = []

    def remember(sender: Any, request: Any = None, **kwargs: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None:
            caught.append(error)

    got_request_exception.connect(remember)
    yield caught
    got_request_exception.disconnect(remember)


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Django closes the database connection at each request's start and end; the test client stops it doing so,
    and so must a test calling the WSGI application itself, or PostgreSQL loses the test's transaction."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def therapist(personas: Personas, objects: MatrixObjects, same_connection: None) -> Caller:
    return Caller(personas, objects, personas.therapist_a)


@pytest.fixture
def admin(personas: Personas, objects: MatrixObjects, same_connection: None) -> Caller:
    return Caller(personas, objects, personas.admin_a)


def _fuzz(caller: Caller, case: schemathesis.Case[Any], server_errors: list[BaseException]) -> None:
    try:
        caller.send(case)
    except Exception as failure:
        if server_errors:
            raise failure from server_errors[-1]
        raise


@THERAPIST_SCHEMA.parametrize()
@FUZZ_SETTINGS
def test_api_as_a_therapist(case, therapist, server_errors):
    _fuzz(therapist, case, server_errors)


@ADMIN_SCHEMA.parametrize()
@FUZZ_SETTINGS
def test_api_as_an_admin(case, admin, server_errors):
    _fuzz(admin, case, server_errors)


# Integers beyond what a database column holds: generation rarely draws them, and PostgreSQL refuses them with an
# error (a 500) where SQLite stores them, so each integer of every body is sent at the edges of 32 and 64 bits.
EXTREME_INTEGERS = (2**31, -(2**31) - 1, 2**63, -(2**63) - 1)


@dataclass(frozen=True)
class IntegerField:
    method: str
    path: str
    name: str
    is_list: bool
    is_reference: bool  # an id (iptriad.api.schemas.common.Id): a number in range that names no row is a 404

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path} {self.name}"


def _integer_fields() -> list[IntegerField]:
    """Every integer field of a request body in the document."""
    document = api.get_openapi_schema()
    schemas = document["components"]["schemas"]
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if "requestBody" not in operation:
                continue
            reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            for name, schema in schemas[reference.rsplit("/", 1)[-1]]["properties"].items():
                text = json.dumps(schema)
                if '"integer"' in text:
                    is_list = schema.get("type") == "array"
                    found.append(IntegerField(method, path, name, is_list, f'"maximum": {MAX_ID}' in text))
    return found


@pytest.mark.parametrize("field", _integer_fields(), ids=str)
def test_no_integer_overflows_the_database(personas: Personas, objects: MatrixObjects, field: IntegerField):
    row = ROWS["api-" + _operation_id(field.method, field.path).replace("_", "-")]
    assert isinstance(row, ApiRow)
    url = re.sub(r"{(\w+)}", lambda match: str(Caller.ids_of(personas, objects)[match.group(1)]), field.path)
    http = HttpClient()
    # A therapist, unless the operation refuses their role (setting groups up): then a supervisor, who gets through.
    sender = personas.therapist_a if row.expected[Role.THERAPIST] != 403 else personas.supervisor_a
    headers = {"Authorization": f"Bearer {token_for(sender, personas.org_a)}"}
    for value in EXTREME_INTEGERS:
        body = {**row.json, field.name: [value] * 9 if field.is_list else value}
        response = getattr(http, field.method)(url, body, content_type="application/json", headers=headers)
        refused = {422, 404} if field.is_reference and 0 < value <= MAX_ID else {422}
        assert response.status_code in refused, (value, response.content)


def _operation_id(method: str, path: str) -> str:
    operation_id: str = api.get_openapi_schema()["paths"][path][method]["operationId"]
    return operation_id


def test_the_cases_reach_the_operations(therapist, personas):
    """A wrong base path would make every case a declared 404 and the fuzzing a silent pass: a plain case of the
    fuzzers' own schema must read the client."""
    operation = THERAPIST_SCHEMA["/api/v1/clients/{client_id}"]["GET"]
    response = operation.Case(path_parameters={"client_id": personas.client_a.pk}).call(headers=therapist.headers)
    assert response.status_code == 200
    assert response.json()["identifier"] == personas.client_a.identifier
