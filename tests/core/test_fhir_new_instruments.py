"""The ASRM and the EDE-Q in the FHIR export: local codes only (the reference found no LOINC code for either), the
EDE-Q's counts as plain integers, and the EDE-Q global score as the total Observation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from iptriad.core.fhir import AdministrationRecord, administration_bundle, patient
from iptriad.core.fhir.codes import SCORE_SYSTEM
from iptriad.core.instruments import instrument, score

COMPLETED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CLIENT = patient(record_number="R-7", organisation_slug="clinic", organisation_name="Clinic")


def bundle_for(code: str, answers: list[int | None]) -> list[dict[str, Any]]:
    definition = instrument(code)
    result = score(definition, answers)
    bundle = administration_bundle(
        [AdministrationRecord(f"{code}-1", definition, tuple(answers), result, COMPLETED, CLIENT, CLIENT)]
    )
    Bundle.model_validate(bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    for resource in resources:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    # The Questionnaire and the Patient lead the Bundle; the response and its Observations follow.
    return [r for r in resources if r["resourceType"] in ("QuestionnaireResponse", "Observation")]


def test_the_edeq_counts_go_as_integers_and_the_global_score_as_the_total():
    answers: list[int | None] = [3] * 12 + [7, 5, None, 0, 2, 12] + [3] * 10
    response, total, *critical = bundle_for("edeq", answers)
    assert critical == []  # no critical item
    items = {item["linkId"]: item["answer"] for item in response["item"]}
    assert items["edeq-13"] == [{"valueInteger": 7}]
    assert items["edeq-18"] == [{"valueInteger": 12}]
    assert "edeq-15" not in items  # not answered: left out, as FHIR expects
    (rated,) = items["edeq-1"]  # a rated item: the option's local code, its score as the ordinal value
    assert rated["valueCoding"]["code"] == "edeq-1-4"
    assert rated["valueCoding"]["extension"][0]["valueDecimal"] == 3
    assert total["code"]["coding"] == [{"system": SCORE_SYSTEM, "code": "edeq-total"}]  # no LOINC code found
    assert total["valueQuantity"]["value"] == 3
    assert total["interpretation"][0]["text"] == "below the clinical-significance cut-off"


def test_an_edeq_without_a_global_score_says_why():
    answers: list[int | None] = [None] * 5 + [2] * 7 + [0] * 6 + [2] * 10  # Restraint: nothing answered
    _, total = bundle_for("edeq", answers)
    assert "valueQuantity" not in total
    assert total["dataAbsentReason"]["coding"][0]["code"] == "unknown"
    assert "Restraint: 0 of 5 items answered; 3 needed" in total["note"][0]["text"]


def test_the_asrm_exports_with_local_codes_and_its_band():
    response, total = bundle_for("asrm", [1, 1, 1, 1, 2])
    assert [item["linkId"] for item in response["item"]] == [f"asrm-{n}" for n in range(1, 6)]
    assert "text" not in response["item"][0]  # the wording is not shipped
    assert total["code"]["coding"] == [{"system": SCORE_SYSTEM, "code": "asrm-total"}]
    assert (total["valueQuantity"]["value"], total["interpretation"][0]["text"]) == (6, "probable (hypo)mania")
