"""FHIR R4: export of administrations as a Bundle, import and rescoring of public Questionnaire responses.

The public fixtures (instruments.md section 19) are copied into tests/core/fixtures/fhir.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

# fhir.resources 8.x models FHIR R5 by default; its R4B subpackage is the closest model to R4 it ships, so the
# R4 export is validated against R4B (the resources used here are structurally the same in R4 and R4B).
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from iptriad.core.fhir import (
    AdministrationRecord,
    FhirInputError,
    administration_bundle,
    patient,
    questionnaire_to_scoring_key,
    score_questionnaire_response,
)
from iptriad.core.instruments import instrument, instruments, score
from iptriad.core.instruments.model import Scoring

# Byte copies of the public fixtures, with their sources and licences in fixtures/fhir/README.md.
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "fhir"
COMPLETED = datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
CLIENT = patient(record_number="R-42", organisation_slug="clinic", organisation_name="Clinic")


def load(name: str) -> Any:
    if not FIXTURES.is_dir():
        pytest.fail(f"FHIR fixtures folder missing: {FIXTURES}")
    path = FIXTURES / name
    if not path.is_file():
        pytest.fail(f"FHIR fixture missing: {path}")
    return json.loads(path.read_text(encoding="utf-8"))


def response(total_link_id: str, answers: Mapping[str, str | None], total: int | None = None) -> dict[str, Any]:
    """A QuestionnaireResponse as an lforms-style app sends it: flat items, LOINC answer codings without a system."""
    items: list[dict[str, Any]] = [
        {"linkId": link_id, "answer": [{"valueCoding": {"code": code}}]}
        for link_id, code in answers.items()
        if code is not None
    ]
    if total is not None:
        items.append({"linkId": total_link_id, "answer": [{"valueDecimal": total}]})
    return {"resourceType": "QuestionnaireResponse", "status": "completed", "item": items}


def record(code: str, answers: tuple[int | None, ...], record_id: str = "adm-1") -> AdministrationRecord:
    definition = instrument(code)
    return AdministrationRecord(
        id=record_id,
        instrument=definition,
        answers=answers,
        result=score(definition, answers),
        completed_at=COMPLETED,
        patient=CLIENT,
        author=CLIENT,
    )


def resources(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry["resource"] for entry in bundle["entry"]]


def response_of(bundle: dict[str, Any]) -> dict[str, Any]:
    (found,) = [r for r in resources(bundle) if r["resourceType"] == "QuestionnaireResponse"]
    return found


def observation(bundle: dict[str, Any], loinc: str) -> dict[str, Any]:
    found = [
        r for r in resources(bundle) if r["resourceType"] == "Observation" and r["code"]["coding"][0]["code"] == loinc
    ]
    assert len(found) == 1, f"expected one Observation for {loinc}, found {len(found)}"
    return found[0]


PHQ9_POSITIVE_ITEM_9 = (1, 1, 2, 0, 1, 0, 1, 0, 2, 1)
PHQ9_ITEM_9_MISSING = (1, 1, 2, 0, 1, 0, 1, 0, None, 1)
PHQ9_INVALID_TOTAL = (1, None, 2, None, 1, None, 1, 0, 0)
GAD7 = (1, 2, 3, 0, 1, 2, 0, 1)

# --------------------------------------------------------------------------------------------------------------
# Import: the public fixtures
# --------------------------------------------------------------------------------------------------------------


def test_it_scores_the_us_core_phq9_pair_as_12_moderate_without_risk_and_no_mismatch():
    key = questionnaire_to_scoring_key(load("phq9-uscore-questionnaire.json"))
    scored = score_questionnaire_response(key, load("phq9-uscore-questionnaireresponse.json"))

    assert key.instrument is not None
    assert (key.instrument.code, key.matched_by, key.total_link_id) == ("phq9", "loinc", "/44261-6")
    assert (scored.total, scored.raw_total, scored.stated_total) == (12, 12, 12)
    assert scored.band == "moderate"
    assert not scored.mismatch
    assert scored.message is None
    assert not scored.risk
    assert scored.critical == ()
    assert scored.critical_not_answered == ()
    assert scored.unanswered == ()
    assert scored.result is not None
    assert scored.result.valid
    assert scored.problems == ()


def test_it_recomputes_the_sdc_example_as_10_reports_the_stated_13_and_flags_item_9():
    key = questionnaire_to_scoring_key(load("phq9-sdc-example-questionnaire.json"))
    scored = score_questionnaire_response(key, load("phq9-sdc-example-questionnaireresponse.json"))

    # No LOINC codes on the items: the total item's code (44261-6) identifies the PHQ-9, the 9th scored item is item 9.
    assert key.instrument is not None
    assert (key.instrument.code, key.matched_by) == ("phq9", "position")
    assert key.item("H1/T1/Q9") is not None
    assert key.item("H1/T1/Q9").instrument_item == 9  # type: ignore[union-attr]
    assert len(key.scored_items[0].options) == 4  # the contained ValueSet #VSPHQ9 was resolved
    assert (scored.total, scored.stated_total) == (10, 13)
    assert scored.mismatch
    assert scored.message is not None
    assert "13" in scored.message
    assert "10" in scored.message
    assert scored.risk
    assert scored.critical == ("H1/T1/Q9",)
    assert scored.result is not None
    assert scored.result.critical == (9,)


def test_it_parses_the_lforms_phq9_despite_its_quirks_and_scores_a_response_to_it():
    key = questionnaire_to_scoring_key(load("phq9-loinc-questionnaire.json"))
    answers = {
        "/44250-9": "LA6570-1",
        "/44255-8": "LA6569-3",
        "/44259-0": "LA6569-3",  # the option whose optionPrefix is a JSON number
        "/44254-1": None,
        "/44251-7": "LA6569-3",
        "/44258-2": "LA6568-5",
        "/44252-5": "LA6569-3",
        "/44253-3": "LA6568-5",
        "/44260-8": "LA6569-3",
        "/69722-7": "LA6575-0",
    }
    # lforms' FHIRPath total counts the unanswered item as 0 (7); iptriad prorates: 7 / 8 x 9 = 7.9 -> 8.
    scored = score_questionnaire_response(key, response("/44261-6", answers, total=7))

    assert key.instrument is not None
    assert key.instrument.code == "phq9"
    assert any("optionPrefix" in warning and "/44259-0" in warning for warning in key.warnings)
    assert all(option.system is None for item in key.items for option in item.options)
    assert key.total_link_id == "/44261-6"
    assert scored.raw_total == 7
    assert scored.total == 8
    assert scored.result is not None
    assert scored.result.prorated
    assert scored.band == "mild"
    assert scored.unanswered == ("/44254-1",)
    assert scored.mismatch
    assert scored.message == "stated total 7 differs from the recomputed total 8"
    assert scored.critical == ("/44260-8",)
    assert scored.item_scores["/69722-7"] is None  # the difficulty item is answered but not scored


def test_it_parses_the_uw_cirg_gad7_counting_la18938_3_as_2_and_scores_a_response():
    key = questionnaire_to_scoring_key(load("gad7-loinc-questionnaire.json"))
    worrying = key.item("/68509-9")
    assert worrying is not None
    more_days_than_not = next(option for option in worrying.options if option.code == "LA18938-3")
    assert more_days_than_not.score == 2

    answers = {
        "/69725-0": "LA6569-3",
        "/68509-9": "LA18938-3",
        "/69733-4": "LA6571-9",
        "/69734-2": "LA6568-5",
        "/69735-9": "LA6569-3",
        "/69689-8": "LA6570-1",
        "/69736-7": "LA6568-5",
    }
    scored = score_questionnaire_response(key, response("/70274-6", answers, total=9))

    assert key.instrument is not None
    assert (key.instrument.code, key.total_link_id, key.loinc_panel) == ("gad7", "/70274-6", "69737-5")
    assert (scored.total, scored.raw_total, scored.stated_total, scored.mismatch) == (9, 9, 9, False)
    assert scored.band == "mild"
    assert scored.result is not None
    assert scored.result.instrument == "gad7"
    assert scored.result.item_scores[1] == 2
    assert scored.result.missing == ()  # the difficulty item is not in this Questionnaire, so it was not asked
    assert not scored.risk
    assert scored.problems == ()


def test_it_flags_a_stated_total_when_the_answers_give_no_valid_total():
    key = questionnaire_to_scoring_key(load("phq9-uscore-questionnaire.json"))
    answers = {"/44250-9": "LA6570-1", "/44255-8": "LA6570-1", "/44259-0": "LA6570-1", "/44254-1": "LA6570-1"}
    scored = score_questionnaire_response(key, response("/44261-6", answers, total=8))

    assert scored.total is None
    assert scored.raw_total == 8
    assert scored.mismatch
    assert scored.message == "the response states a total of 8, but its answers give no valid total"
    assert scored.critical_not_answered == ("/44260-8",)
    assert not scored.risk


def test_it_reports_answers_that_are_not_options_and_treats_them_as_unanswered():
    key = questionnaire_to_scoring_key(load("phq9-uscore-questionnaire.json"))
    fixture = load("phq9-uscore-questionnaireresponse.json")
    fixture["item"][8]["answer"][0]["valueCoding"]["code"] = "LA9999-9"
    scored = score_questionnaire_response(key, fixture)

    assert scored.unanswered == ("/44260-8",)
    assert scored.critical_not_answered == ("/44260-8",)
    assert any("/44260-8" in problem for problem in scored.problems)


def test_it_refuses_what_is_not_a_questionnaire_or_has_nothing_to_score():
    with pytest.raises(FhirInputError, match="not a FHIR Questionnaire"):
        questionnaire_to_scoring_key(load("phq9-uscore-questionnaireresponse.json"))
    with pytest.raises(FhirInputError, match="no scored item"):
        questionnaire_to_scoring_key({"resourceType": "Questionnaire", "item": [{"linkId": "a", "type": "string"}]})
    key = questionnaire_to_scoring_key(load("phq9-uscore-questionnaire.json"))
    with pytest.raises(FhirInputError, match="not a FHIR QuestionnaireResponse"):
        score_questionnaire_response(key, load("phq9-uscore-questionnaire.json"))


# --------------------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "answers"),
    [
        ("phq9", PHQ9_POSITIVE_ITEM_9),
        ("phq9", PHQ9_ITEM_9_MISSING),
        ("phq9", PHQ9_INVALID_TOTAL),
        ("gad7", GAD7),
    ],
    ids=["phq9-item-9-positive", "phq9-item-9-missing", "phq9-invalid-total", "gad7"],
)
def test_it_exports_bundles_that_validate_as_fhir(code: str, answers: tuple[int | None, ...]):
    bundle = administration_bundle([record(code, answers)])

    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
    assert json.loads(json.dumps(bundle)) == bundle  # plain JSON-ready data
    assert bundle["type"] == "collection"


def test_it_exports_every_shipped_questionnaire_as_valid_fhir():
    records = []
    for code, definition in sorted(instruments().items()):
        if definition.scoring == Scoring.SOCIAL_RHYTHM:
            continue  # a weekly diary, not a questionnaire
        highest = tuple(item.count.maximum if item.count else len(item.options) - 1 for item in definition.items)
        critical_skipped = tuple(None if item.critical else 0 for item in definition.items)
        for variant, answers in (("highest", highest), ("critical-skipped", critical_skipped)):
            result = score(definition, answers)
            records.append(AdministrationRecord(f"{code}-{variant}", definition, answers, result, COMPLETED, CLIENT))
    bundle = administration_bundle(records)

    Bundle.model_validate(bundle)
    for resource in resources(bundle):
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def test_it_exports_the_engine_total_under_44261_6_and_a_flagged_44260_8_observation():
    adm = record("phq9", PHQ9_POSITIVE_ITEM_9)
    bundle = administration_bundle([adm])
    qr = response_of(bundle)
    total = observation(bundle, "44261-6")
    item9 = observation(bundle, "44260-8")

    assert adm.result.total == 8
    assert total["valueQuantity"] == {
        "value": adm.result.total,
        "unit": "{score}",
        "system": "http://unitsofmeasure.org",
        "code": "{score}",
    }
    assert total["interpretation"][0]["text"] == "mild"
    assert total["interpretation"][0]["coding"] == [
        {"system": "urn:iptriad:severity-band", "code": "phq9-mild", "display": "mild"}
    ]
    assert total["category"][0]["coding"][0]["code"] == "survey"
    assert total["status"] == "final"
    assert total["derivedFrom"] == [{"reference": f"urn:uuid:{qr['id']}"}]
    assert item9["valueCodeableConcept"]["coding"][0]["code"] == "LA6570-1"
    assert item9["interpretation"][0]["coding"][0]["code"] == "POS"
    assert item9["derivedFrom"] == total["derivedFrom"]
    assert qr["questionnaire"] == "urn:iptriad:questionnaire:phq9|1.0.0"
    assert qr["authored"] == "2024-05-01T10:30:00Z"
    assert [item["linkId"] for item in qr["item"]][:2] == ["/44250-9", "/44255-8"]
    difficulty = qr["item"][-1]["answer"][0]["valueCoding"]
    assert "extension" not in difficulty  # no ordinalValue on the unscored item: a receiver's sum stays right


def test_it_exports_a_missing_item_9_as_not_answered_never_as_0():
    bundle = administration_bundle([record("phq9", PHQ9_ITEM_9_MISSING)])
    item9 = observation(bundle, "44260-8")
    qr = response_of(bundle)

    assert item9["dataAbsentReason"]["coding"][0]["code"] == "asked-unknown"
    assert not any(key.startswith("value") for key in item9)
    assert "/44260-8" not in [item["linkId"] for item in qr["item"]]
    # Never a prorated total (6 / 8 x 9 -> 7) that fills the risk item in: the total is absent, and says why.
    total = observation(bundle, "44261-6")
    assert "valueQuantity" not in total
    assert total["dataAbsentReason"]["coding"][0]["code"] == "unknown"
    assert total["note"] == [
        {"text": "No valid total: risk item 9 not answered: a risk item is never filled in by prorating."}
    ]


def test_it_exports_an_invalid_total_with_a_data_absent_reason_and_the_engine_reasons():
    adm = record("phq9", PHQ9_INVALID_TOTAL)
    total = observation(administration_bundle([adm]), "44261-6")

    assert not adm.result.valid
    assert "valueQuantity" not in total
    assert "interpretation" not in total
    assert total["dataAbsentReason"]["coding"][0]["code"] == "unknown"
    assert adm.result.reasons[0] in total["note"][0]["text"]


def test_it_exports_gad7_with_its_total_code_and_local_codes_where_loinc_has_none():
    bundle = administration_bundle([record("gad7", GAD7)])
    qr = response_of(bundle)
    total = observation(bundle, "70274-6")

    kinds = [r["resourceType"] for r in resources(bundle)]
    assert kinds == ["Questionnaire", "Patient", "QuestionnaireResponse", "Observation"]  # no critical item
    assert total["valueQuantity"]["value"] == 9
    assert qr["item"][-1]["linkId"] == "gad7-8"
    assert qr["item"][-1]["answer"][0]["valueCoding"]["code"] == "LA6573-5"


def test_it_exports_stable_unique_ids_and_several_administrations_in_one_bundle():
    records = [record("phq9", PHQ9_POSITIVE_ITEM_9, "adm-1"), record("gad7", GAD7, "adm-2")]
    first = administration_bundle(records)
    again = administration_bundle(copy.deepcopy(records))
    urls = [entry["fullUrl"] for entry in first["entry"]]

    assert first == again
    assert len(urls) == len(set(urls)) == 8  # 2 Questionnaires, the Patient, 2 responses, 3 Observations
    assert {e["fullUrl"] for e in administration_bundle(records[:1])["entry"]} <= set(urls)
    Bundle.model_validate(first)


def test_it_exports_the_completion_time_in_utc():
    adm = record("phq9", PHQ9_POSITIVE_ITEM_9)
    local = AdministrationRecord(
        adm.id,
        adm.instrument,
        adm.answers,
        adm.result,
        COMPLETED.astimezone(timezone(timedelta(hours=12))),
        adm.patient,
    )
    qr = response_of(administration_bundle([local]))

    assert qr["authored"] == "2024-05-01T10:30:00Z"
    assert "author" not in qr


def test_it_refuses_naive_times_results_for_another_instrument_and_repeated_ids():
    adm = record("phq9", PHQ9_POSITIVE_ITEM_9)
    naive = AdministrationRecord(
        adm.id, adm.instrument, adm.answers, adm.result, COMPLETED.replace(tzinfo=None), adm.patient
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        administration_bundle([naive])
    wrong = AdministrationRecord(adm.id, instrument("gad7"), GAD7, adm.result, COMPLETED, adm.patient)
    with pytest.raises(ValueError, match="the result is for phq9"):
        administration_bundle([wrong])
    with pytest.raises(ValueError, match="repeated: adm-1"):
        administration_bundle([adm, adm])


def test_it_exports_a_response_that_the_us_core_questionnaire_scores_to_the_same_total():
    adm = record("phq9", PHQ9_POSITIVE_ITEM_9)
    qr = response_of(administration_bundle([adm]))
    key = questionnaire_to_scoring_key(load("phq9-uscore-questionnaire.json"))
    scored = score_questionnaire_response(key, qr)

    assert scored.total == adm.result.total
    assert scored.critical == ("/44260-8",)
    assert any("urn:iptriad:questionnaire:phq9" in problem for problem in scored.problems)  # a different form
