"""The OpenAPI document is a contract: served, complete (summary, typed bodies, declared errors), no docs page
that would load scripts from a CDN."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from ninja.openapi import get_schema

from iptriad.api.urls import api

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "patch", "put", "delete"}
READ_ERRORS = {"401", "403", "404"}
WRITE_ERRORS = READ_ERRORS | {"400", "422"}


@pytest.fixture
def document() -> dict[str, Any]:
    response = HttpClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    parsed: dict[str, Any] = response.json()
    return parsed


def test_it_serves_an_openapi_3_document(document):
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "iptriad API"
    assert len(document["paths"]) >= 20
    assert all(path.startswith("/api/v1/") for path in document["paths"])


def test_every_operation_has_a_summary_an_id_and_typed_answers(document):
    ids = []
    for path, operations in document["paths"].items():
        assert set(operations) <= METHODS, path
        assert operations, path
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            assert operation.get("summary"), where
            ids.append(operation["operationId"])
            successes = [code for code in operation["responses"] if code.startswith("2")]
            assert len(successes) == 1, where
            if successes == ["204"]:  # a removal answers nothing
                assert method == "delete", where
                assert "content" not in operation["responses"]["204"], where
            else:
                assert "schema" in operation["responses"][successes[0]]["content"]["application/json"], where
            declared = set(operation["responses"])
            assert declared >= (READ_ERRORS if method == "get" else WRITE_ERRORS), where
            for code in declared - set(successes):
                error_schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert error_schema == {"$ref": "#/components/schemas/ErrorOut"}, where
            assert operation.get("security"), where
    assert len(ids) == len(set(ids))


def test_every_body_is_a_typed_schema_that_refuses_unknown_fields(document):
    schemas = document["components"]["schemas"]
    bodies = 0
    for operations in document["paths"].values():
        for operation in operations.values():
            if "requestBody" not in operation:
                continue
            bodies += 1
            reference = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            schema = schemas[reference.rsplit("/", 1)[-1]]
            assert schema["additionalProperties"] is False, reference
            assert schema["properties"], reference
    assert bodies >= 10


def test_it_declares_both_ways_to_authenticate(document):
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"} in schemes.values()
    assert {"type": "apiKey", "in": "cookie", "name": "sessionid"} in schemes.values()


def test_the_record_names_foreign_keys_as_ids(document):
    goal = document["components"]["schemas"]["GoalOut"]
    assert "problem_area_id" in goal["properties"]


def test_there_is_no_docs_page_loading_third_party_scripts():
    assert HttpClient().get("/api/v1/docs").status_code == 404


def test_the_codes_a_service_checks_are_listed(document):
    schemas = document["components"]["schemas"]
    assert "partner" in schemas["PersonIn"]["properties"]["relationship"]["enum"]
    assert schemas["SessionIn"]["properties"]["risk_check"]["enum"] == ["", "no_concern", "concern", "not_asked"]
    assert schemas["MaintenancePlanIn"]["properties"]["frequency"]["enum"] == ["weekly", "fortnightly", "monthly"]
    # A PATCH body sends only what changes: nothing in it is required.
    for name in ("PersonPatch", "EventPatch", "ProblemAreaPatch", "GoalPatch", "SessionPatch"):
        assert not schemas[name].get("required"), name


def test_the_document_is_built_once_per_process_and_each_caller_gets_its_own_copy(monkeypatch):
    """Building it costs about a second of CPU: a GET anyone may send must not make the server spend that each time."""
    built = []

    def counted(**kwargs: Any) -> Any:
        built.append(kwargs["path_prefix"])
        return get_schema(**kwargs)

    monkeypatch.setattr("ninja.main.get_schema", counted)  # as ninja's API calls it
    monkeypatch.setattr(api, "_documents", {}, raising=False)
    first = HttpClient().get("/api/v1/openapi.json").json()
    api.get_openapi_schema()["paths"].clear()  # a caller changing its copy changes nobody else's
    second = HttpClient().get("/api/v1/openapi.json").json()
    assert built == ["/api/v1/"]
    assert first == second
    assert len(second["paths"]) >= 20
