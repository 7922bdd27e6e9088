"""Instruments, measures, links, risk alerts and the FHIR export through the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B.bundle import Bundle

from iptriad.accounts.tokens import token_hash
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.core.instruments import instruments
from iptriad.measures.models import Administration, AdministrationAnswer, RiskAlert, SelfReportLink
from iptriad.measures.services import (
    ERROR_ACTION_DETAIL_REQUIRED,
    ERROR_ALERT_CLOSED,
    ERROR_ASSESSMENT_REQUIRED,
    ERROR_LINK_DAYS,
    ERROR_NOT_SELF_REPORT,
    ERROR_TEXT_NOT_LOADED,
    ERROR_UNKNOWN_INSTRUMENT,
)
from tests.api.conftest import fields
from tests.courses.factories import full_course
from tests.measures.factories import PHQ9_NO_RISK, PHQ9_WITH_RISK

pytestmark = pytest.mark.django_db

CLOSE = {"assessment": "Passive thoughts, no plan or intent.", "risk_level": "low", "action": "safety_plan"}


def counts() -> tuple[int, int, int]:
    return Administration.objects.count(), AdministrationAnswer.objects.count(), RiskAlert.objects.count()


def test_it_lists_every_instrument_with_wording_only_where_shipped(therapist_api):
    listed = {item["code"]: item for item in therapist_api.get("/instruments").json()}
    assert set(listed) == set(instruments())
    phq9 = listed["phq9"]
    assert phq9["items"][8]["critical"] is True
    assert phq9["items"][0]["options"][1] == {"position": 1, "score": 1.0, "text": "Several days"}
    assert listed["epds"]["item_text"] == "local"
    assert all(item["text"] is None for item in listed["epds"]["items"])
    assert all(option["text"] is None for item in listed["epds"]["items"] for option in item["options"])


def test_it_records_a_phq9_opens_the_alert_and_closes_it(therapist_api, personas):
    recorded = therapist_api.post(
        f"/clients/{personas.client_a.pk}/administrations", {"instrument": "phq9", "answers": PHQ9_WITH_RISK}
    )
    assert recorded.status_code == 201
    body = recorded.json()
    assert (body["total"], body["band"], body["critical_items"], body["valid"]) == (10.0, "moderate", [9], True)
    assert body["answers"][8] == {"item_number": 9, "position": 1, "score": 1.0, "option_text": "Several days"}
    [alert_id] = body["alert_ids"]
    assert therapist_api.get(f"/administrations/{body['id']}").json()["alert_ids"] == [alert_id]
    listed = therapist_api.get("/alerts").json()
    assert [alert["id"] for alert in listed] == [alert_id]
    assert therapist_api.get("/alerts", {"client": personas.client_a.pk}).json() == listed
    closed = therapist_api.post(f"/alerts/{alert_id}/close", CLOSE)
    assert closed.status_code == 200
    assert (closed.json()["is_open"], closed.json()["risk_level"], closed.json()["closed_by"]["id"]) == (
        False,
        "low",
        personas.therapist_a.pk,
    )
    assert therapist_api.get("/alerts").json() == []
    again = therapist_api.post(f"/alerts/{alert_id}/close", CLOSE)
    assert (again.status_code, fields(again)) == (422, {None: [ERROR_ALERT_CLOSED]})
    assert AuditEvent.objects.filter(action=AuditAction.ALERT_CLOSED).count() == 1


def test_it_lists_a_clients_measures_newest_first_and_audits_the_read(therapist_api, personas):
    for answers in (PHQ9_NO_RISK, PHQ9_WITH_RISK):
        therapist_api.post(
            f"/clients/{personas.client_a.pk}/administrations", {"instrument": "phq9", "answers": answers}
        )
    page = therapist_api.get(f"/clients/{personas.client_a.pk}/administrations", {"limit": 1}).json()
    assert (page["count"], len(page["items"]), page["items"][0]["total"]) == (2, 1, 10.0)
    event = AuditEvent.objects.filter(action=AuditAction.MEASURE_VIEWED).latest("pk")
    assert event.detail == {"administration_ids": [page["items"][0]["id"]]}


def test_it_records_in_a_session_of_the_clients_course(therapist_api, personas):
    records = full_course(personas.client_a, personas.therapist_a)
    url = f"/clients/{personas.client_a.pk}/administrations"
    body = therapist_api.post(url, {"instrument": "phq9", "answers": PHQ9_NO_RISK, "session": records.session.pk})
    assert (body.json()["session_id"], body.json()["course_id"]) == (records.session.pk, records.course.pk)
    other = full_course(personas.client_b, personas.therapist_b)
    refused = therapist_api.post(url, {"instrument": "phq9", "answers": PHQ9_NO_RISK, "session": other.session.pk})
    assert refused.status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"instrument": "phq99", "answers": PHQ9_NO_RISK}, "instrument", ERROR_UNKNOWN_INSTRUMENT),
        ({"instrument": "phq9", "answers": [*PHQ9_NO_RISK[:8], 4]}, None, "phq9 item 9: position 4 is out of range"),
        ({"instrument": "phq9", "answers": [*PHQ9_NO_RISK[:8], -1]}, None, "position -1 is out of range"),
        ({"instrument": "phq9", "answers": PHQ9_NO_RISK[:5]}, None, ""),
        ({"instrument": "phq9", "answers": [*PHQ9_NO_RISK, 0, 0, 0]}, None, ""),
        ({"instrument": "phq9", "answers": ["1", *PHQ9_NO_RISK[1:]]}, "answers.0", "Input should be a valid integer"),
        ({"instrument": "phq9", "answers": [1.5, *PHQ9_NO_RISK[1:]]}, "answers.0", "Input should be a valid integer"),
        ({"instrument": "phq9", "answers": [True, *PHQ9_NO_RISK[1:]]}, "answers.0", "Input should be a valid integer"),
        ({"instrument": "phq9", "answers": "111111110"}, "answers", "Input should be a valid list"),
        ({"instrument": "phq9"}, "answers", "Field required"),
        ({"instrument": 9, "answers": PHQ9_NO_RISK}, "instrument", "Input should be a valid string"),
        ({"instrument": "phq9", "answers": PHQ9_NO_RISK, "total": 0}, "total", "Extra inputs are not permitted"),
        ({"instrument": "phq9", "answers": PHQ9_NO_RISK, "session": 2**64}, "session", ""),
    ],
)
def test_it_refuses_bad_answers_with_messages_and_stores_nothing(therapist_api, personas, body, field, message):
    response = therapist_api.post(f"/clients/{personas.client_a.pk}/administrations", body)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert message in " ".join(fields(response)[field])
    assert counts() == (0, 0, 0)


def test_it_creates_a_link_once_and_withdraws_it(therapist_api, personas):
    created = therapist_api.post(f"/clients/{personas.client_a.pk}/links", {"instrument": "phq9", "valid_days": 3})
    assert created.status_code == 201
    body = created.json()
    token = body["url"].rstrip("/").rsplit("/", 1)[-1]
    assert body["url"].startswith("http://testserver/r/")
    assert SelfReportLink.objects.get().token_hash == token_hash(token)
    assert body["status"] == "waiting"
    withdrawn = therapist_api.post(f"/links/{body['id']}/withdraw")
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "revoked")
    assert "url" not in withdrawn.json()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"instrument": "hamd17"}, "instrument", ERROR_NOT_SELF_REPORT),
        ({"instrument": "epds"}, "instrument", ERROR_TEXT_NOT_LOADED.format(name="EPDS")),
        ({"instrument": "phq9", "valid_days": 31}, "valid_days", ERROR_LINK_DAYS),
        ({"instrument": "phq9", "valid_days": "7"}, "valid_days", "Input should be a valid integer"),
        ({"instrument": "nope"}, "instrument", ERROR_UNKNOWN_INSTRUMENT),
    ],
)
def test_it_refuses_a_bad_link(therapist_api, personas, body, field, message):
    response = therapist_api.post(f"/clients/{personas.client_a.pk}/links", body)
    assert (response.status_code, fields(response)) == (422, {field: [message]})
    assert not SelfReportLink.objects.exists()


def test_it_raises_a_concern(therapist_api, personas):
    raised = therapist_api.post(f"/clients/{personas.client_a.pk}/alerts", {"concern": "  Said they feel hopeless. "})
    assert raised.status_code == 201
    assert (raised.json()["source"], raised.json()["summary"]) == ("clinician_concern", "Said they feel hopeless.")
    blank = therapist_api.post(f"/clients/{personas.client_a.pk}/alerts", {"concern": "   "})
    assert (blank.status_code, list(fields(blank))) == (422, ["concern"])
    assert RiskAlert.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({**CLOSE, "assessment": "  "}, "assessment", ERROR_ASSESSMENT_REQUIRED),
        ({**CLOSE, "action": "other"}, "action_detail", ERROR_ACTION_DETAIL_REQUIRED),
        ({**CLOSE, "risk_level": "severe"}, "risk_level", "Input should be 'low', 'moderate' or 'high'"),
        ({**CLOSE, "action": None}, "action", "Input should be 'safety_plan', 'urgent_referral' or 'other'"),
        ({key: value for key, value in CLOSE.items() if key != "assessment"}, "assessment", "Field required"),
    ],
)
def test_it_keeps_an_alert_open_on_bad_input(therapist_api, personas, body, field, message):
    therapist_api.post(f"/clients/{personas.client_a.pk}/alerts", {"concern": "Hopeless."})
    alert = RiskAlert.objects.get()
    response = therapist_api.post(f"/alerts/{alert.pk}/close", body)
    assert (response.status_code, fields(response)) == (422, {field: [message]})
    alert.refresh_from_db()
    assert alert.is_open


def test_it_exports_a_valid_fhir_bundle(therapist_api, personas):
    for answers in (PHQ9_NO_RISK, PHQ9_WITH_RISK):
        therapist_api.post(
            f"/clients/{personas.client_a.pk}/administrations", {"instrument": "phq9", "answers": answers}
        )
    response = therapist_api.get(f"/clients/{personas.client_a.pk}/fhir")
    assert response.status_code == 200
    assert response["X-Iptriad-Left-Out"] == "0"
    bundle = response.json()
    Bundle.model_validate(bundle)
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds.count("QuestionnaireResponse") == 2
    assert kinds.count("Questionnaire") == 1  # the PHQ-9 form both responses answer, in the Bundle
    first = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse")
    assert first["subject"]["identifier"]["value"] == personas.client_a.identifier  # the record number
    assert kinds.count("Patient") == 1
    assert AuditEvent.objects.filter(action=AuditAction.MEASURE_VIEWED, detail={"export": "fhir"}).count() == 1


def test_the_measure_list_takes_the_same_queries_for_1_and_50_administrations(therapist_api, personas):
    url = f"/clients/{personas.client_a.pk}/administrations"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert therapist_api.get(url, {"limit": 100}).status_code == 200
        return len(captured)

    therapist_api.post(url, {"instrument": "phq9", "answers": PHQ9_NO_RISK})
    one = queries()
    for _ in range(49):
        therapist_api.post(url, {"instrument": "phq9", "answers": PHQ9_NO_RISK})
    assert queries() == one


def total_observation(bundle: dict[str, Any], text: str) -> dict[str, Any]:
    return next(
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Observation" and entry["resource"]["code"].get("text") == text
    )


def test_a_blank_item_9_is_never_prorated_in_the_api_or_its_fhir(therapist_api, personas):
    # Eight 3s and item 9 blank once scored a valid, prorated 27.
    url = f"/clients/{personas.client_a.pk}/administrations"
    body = therapist_api.post(url, {"instrument": "phq9", "answers": [3] * 8 + [None]}).json()
    assert (body["total"], body["band"], body["valid"], body["prorated"]) == (None, "", False, False)
    assert body["invalid_reasons"] == ["risk item 9 not answered: a risk item is never filled in by prorating"]
    assert body["critical_not_answered"] == [9]
    assert therapist_api.get(url).json()["items"][0]["invalid_reasons"] == body["invalid_reasons"]
    bundle = therapist_api.get(f"/clients/{personas.client_a.pk}/fhir").json()
    Bundle.model_validate(bundle)
    total = total_observation(bundle, "PHQ-9 total score")
    assert "valueQuantity" not in total
    assert total["note"] == [{"text": f"No valid total: {body['invalid_reasons'][0]}."}]


def test_the_wsas_retired_choice_is_reachable_and_scores_items_2_to_5_out_of_32(therapist_api, personas):
    wsas = next(item for item in therapist_api.get("/instruments").json() if item["code"] == "wsas")
    retired = wsas["items"][0]["options"][9]
    assert retired == {
        "position": 9,
        "score": None,
        "text": "Retired, or not working for reasons unrelated to the problem",
    }
    url = f"/clients/{personas.client_a.pk}/administrations"
    body = therapist_api.post(url, {"instrument": "wsas", "answers": [9, 2, 4, 6, 8]}).json()
    assert (body["total"], body["valid"], body["missing_items"]) == (20.0, True, [])
    basis = "items 2-5 only, out of 32 (item 1 answered “Retired, or not working for reasons unrelated to the problem”)"
    assert body["score_basis"] == basis
    assert body["answers"][0] == {"item_number": 1, "position": 9, "score": None, "option_text": retired["text"]}
    bundle = therapist_api.get(f"/clients/{personas.client_a.pk}/fhir").json()
    Bundle.model_validate(bundle)
    total = total_observation(bundle, "WSAS total score")
    assert total["valueQuantity"]["value"] == 20
    assert total["note"] == [{"text": f"The total counts {basis}."}]
