"""/clients: the client services through the API, bad input answered with field messages, bounded queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.clients.models import Client
from iptriad.clients.services import ERROR_IDENTIFIER_TAKEN, ERROR_THERAPIST_NOT_CLINICIAN, ERROR_THERAPIST_NOT_SELF
from tests.api.conftest import fields
from tests.conftest import make_client

pytestmark = pytest.mark.django_db

NEW = {"identifier": "A-0200", "given_name": "Noor", "family_name": "Placeholm", "date_of_birth": "1979-08-30"}


def test_it_creates_reads_updates_archives_and_reactivates_a_client(therapist_api, personas):
    created = therapist_api.post("/clients", {**NEW, "email": " Noor@Example.org ", "sex": "female"})
    assert created.status_code == 201
    body = created.json()
    assert (body["email"], body["sex"], body["therapist"]["id"]) == (
        "noor@example.org",
        "female",
        personas.therapist_a.pk,
    )
    client_id = body["id"]
    assert therapist_api.get(f"/clients/{client_id}").json()["family_name"] == "Placeholm"
    updated = therapist_api.patch(
        f"/clients/{client_id}",
        {"gender": "woman", "consent_to_data_use": True, "consent_to_data_use_on": "2026-01-02"},
    )
    assert updated.status_code == 200
    assert (updated.json()["gender"], updated.json()["given_name"]) == ("woman", "Noor")
    assert therapist_api.post(f"/clients/{client_id}/archive").json()["status"] == "archived"
    assert therapist_api.post(f"/clients/{client_id}/reactivate").json()["status"] == "active"
    actions = list(AuditEvent.objects.filter(object_id=str(client_id)).values_list("action", flat=True))
    assert set(actions) >= {
        AuditAction.CLIENT_CREATED,
        AuditAction.CLIENT_UPDATED,
        AuditAction.CLIENT_ARCHIVED,
        AuditAction.CLIENT_REACTIVATED,
        AuditAction.CLIENT_VIEWED,
    }
    assert AuditEvent.objects.get(action=AuditAction.CLIENT_UPDATED).detail == {
        "fields": ["gender", "consent_to_data_use", "consent_to_data_use_on"]
    }


def test_it_lists_searches_filters_and_pages(supervisor_api, personas):
    for number in range(5):
        make_client(personas.org_a, f"A-1{number}", personas.therapist_a, family_name=f"Zed{number}")
    make_client(personas.org_a, "A-0777", None, given_name="Morgan", family_name="Testwick")
    page = supervisor_api.get("/clients", {"limit": 2, "offset": 2}).json()
    assert (page["count"], page["limit"], page["offset"], len(page["items"])) == (7, 2, 2, 2)
    assert [c["identifier"] for c in supervisor_api.get("/clients", {"q": "testw"}).json()["items"]] == ["A-0777"]
    assert supervisor_api.get("/clients", {"status": "archived"}).json()["count"] == 0
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_LISTED).count() == 3


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "deleted"}, "status"),
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"limit": "many"}, "limit"),
        ({"q": "x" * 101}, "q"),
    ],
)
def test_it_refuses_bad_list_parameters(therapist_api, query, field):
    response = therapist_api.get("/clients", query)
    assert response.status_code == 422
    assert field in fields(response)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "date_of_birth": "30/08/1979"}, "date_of_birth"),
        ({**NEW, "date_of_birth": 1979}, "date_of_birth"),
        ({**NEW, "given_name": None}, "given_name"),
        ({**NEW, "consent_to_treatment": "yes"}, "consent_to_treatment"),
        ({**NEW, "sex": "other"}, "sex"),
        ({**NEW, "therapist": "me"}, "therapist"),
        ({**NEW, "therapist": 2**70}, "therapist"),
        ({**NEW, "nickname": "N"}, "nickname"),
        ({**NEW, "family_name": "Pl\x00aceholm"}, "family_name"),
        ({key: value for key, value in NEW.items() if key != "identifier"}, "identifier"),
        ({**NEW, "identifier": "A 200"}, "identifier"),
        ({**NEW, "given_name": ""}, "given_name"),
        ({**NEW, "phone": "call me"}, "phone"),
        ({**NEW, "email": "not-an-address"}, "email"),
        ({**NEW, "preferred_language": "xx"}, "preferred_language"),
        ({**NEW, "date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({**NEW, "consent_to_treatment": True}, "consent_to_treatment_on"),
        ({**NEW, "identifier": "A-0001"}, "identifier"),
    ],
)
def test_it_refuses_bad_input_with_field_messages_and_writes_nothing(therapist_api, body, field):
    response = therapist_api.post("/clients", body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert all(message for message in fields(response)[field])
    assert Client.objects.count() == 2


def test_it_answers_400_to_a_body_that_is_not_json(therapist_api):
    response = therapist_api.http.post(
        "/api/v1/clients", "{not json", content_type="application/json", headers=therapist_api.headers
    )
    assert response.status_code == 400
    assert response.json()["detail"][0]["message"] == "Cannot parse request body"
    assert therapist_api.post("/clients", ["a", "list"]).status_code == 422


def test_it_gives_the_services_messages(therapist_api, supervisor_api, personas):
    taken = therapist_api.post("/clients", {**NEW, "identifier": "A-0001"})
    assert fields(taken) == {"identifier": [ERROR_IDENTIFIER_TAKEN]}
    colleague = therapist_api.post("/clients", {**NEW, "therapist": personas.therapist_a2.pk})
    assert fields(colleague) == {"therapist": [ERROR_THERAPIST_NOT_SELF]}
    foreign = supervisor_api.post("/clients", {**NEW, "therapist": personas.therapist_b.pk})
    assert fields(foreign) == {"therapist": [ERROR_THERAPIST_NOT_CLINICIAN]}
    assert supervisor_api.post("/clients", {**NEW, "therapist": personas.therapist_a2.pk}).status_code == 201


def test_a_patch_checks_the_whole_record(therapist_api, personas):
    url = f"/clients/{personas.client_a.pk}"
    assert fields(therapist_api.patch(url, {"identifier": None})) == {"identifier": ["Input should be a valid string"]}
    assert "consent_to_treatment_on" in fields(therapist_api.patch(url, {"consent_to_treatment_on": None}))
    assert therapist_api.patch(url, {"therapist": None}).json()["therapist"]["id"] == personas.therapist_a.pk
    personas.client_a.refresh_from_db()
    assert personas.client_a.consent_to_treatment_on is not None


def test_the_list_takes_the_same_queries_for_1_and_50_clients(supervisor_api, personas):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert supervisor_api.get("/clients", {"limit": 100}).status_code == 200
        return len(captured)

    one = queries()
    for number in range(50):
        make_client(personas.org_a, f"A-2{number:02}", personas.therapist_a)
    assert queries() == one
