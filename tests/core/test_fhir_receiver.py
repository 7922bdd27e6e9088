"""FHIR a receiver can resolve (issue 10): codes that mean what they say, for every shipped instrument.

Every LOINC code the export writes must be one the shared reference (instruments.md) gives for that instrument;
a code of uncertain meaning (the EPDS total 99046-5 [?]) or a code from another term's answer list (the PHQ-9
bands' LL382-3, answers of the deprecated 44262-4) is never exported as LOINC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

# fhir.resources 8.x models FHIR R5 by default; its R4B models are the closest to R4 it ships (as tests/core/test_fhir).
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from iptriad.core.fhir import (
    AdministrationRecord,
    administration_bundle,
    patient,
    practitioner,
    questionnaire_to_scoring_key,
    score_questionnaire_response,
)
from iptriad.core.instruments import instrument, instruments, score
from iptriad.core.instruments.model import Instrument, Respondent, Scoring

COMPLETED = datetime(2024, 5, 1, 10, 30, tzinfo=UTC)
CLIENT = patient(record_number="R-0042", organisation_slug="north-clinic", organisation_name="North Clinic")
THERAPIST = practitioner(email="ana.rater@north.example", name="Ana Rater")
LOINC = "http://loinc.org"

# Every LOINC code instruments.md gives for a shipped instrument, with its section and tag.
REFERENCE_LOINC = {
    # §3 PHQ-9 [V]: panel, items 1-9 and 10, total, LL358-3 answers, LL359-1 answers
    "44249-1", "44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3",
    "44260-8", "69722-7", "44261-6",
    "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9",
    "LA6572-7", "LA6573-5", "LA6575-0", "LA6574-3",
    # §4 PHQ-2 [V]: panel and total
    "55757-9", "55758-7",
    # §5 PHQ-A [V]: panel and total; §16 Yes/No answers LA33-6 / LA32-8 [V]
    "89206-7", "89204-2", "LA33-6", "LA32-8",
    # §6 GAD-7 [V]: panel, items, total
    "69737-5", "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7", "70274-6",
    # §7 EPDS [V]: panel only
    "71354-5",
}  # fmt: skip
UNCERTAIN_OR_MISPLACED = {"99046-5", "69726-8", "LA6708-7", "LA6709-5", "LA6710-3", "LA6711-1", "LA6712-9"}


def questionnaires() -> list[Instrument]:
    return [d for _, d in sorted(instruments().items()) if d.scoring != Scoring.SOCIAL_RHYTHM]


def every_answer_of(definition: Instrument) -> Iterator[tuple[str, tuple[int | None, ...]]]:
    """Answer sets that between them choose every option of every item once, and one leaving risk items blank."""
    widest = max(len(item.options) for item in definition.items if not item.is_count)
    for position in range(widest):  # a count item (EDE-Q 13-18) has no options: it answers the number itself
        yield (
            f"option-{position + 1}",
            tuple(position if item.is_count else min(position, len(item.options) - 1) for item in definition.items),
        )
    yield "critical-blank", tuple(None if item.critical else 0 for item in definition.items)


def record(definition: Instrument, answers: tuple[int | None, ...], record_id: str) -> AdministrationRecord:
    return AdministrationRecord(
        id=record_id,
        instrument=definition,
        answers=answers,
        result=score(definition, answers),
        completed_at=COMPLETED,
        patient=CLIENT,
        author=THERAPIST if definition.respondent == Respondent.CLINICIAN else CLIENT,
    )


def whole_bundle() -> dict[str, Any]:
    return administration_bundle(
        record(definition, answers, f"{definition.code}-{variant}")
        for definition in questionnaires()
        for variant, answers in every_answer_of(definition)
    )


def codings(value: Any) -> Iterator[dict[str, Any]]:
    """Every Coding anywhere in a JSON value (a dict with a system and a code)."""
    if isinstance(value, dict):
        if isinstance(value.get("system"), str) and isinstance(value.get("code"), str):
            yield value
        for inner in value.values():
            yield from codings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from codings(inner)


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_every_loinc_code_exported_for_every_instrument_is_one_the_reference_gives():
    exported = {coding["code"] for coding in codings(whole_bundle()) if coding["system"] == LOINC}

    assert exported <= REFERENCE_LOINC, f"LOINC codes the reference does not give: {sorted(exported - REFERENCE_LOINC)}"
    assert not exported & UNCERTAIN_OR_MISPLACED


def test_the_epds_total_is_exported_under_a_local_code_not_the_uncertain_99046_5():
    epds = instrument("epds")
    bundle = administration_bundle([record(epds, (0, 1, 2, 3, 0, 1, 2, 3, 0, 0), "adm-epds")])
    total = next(r for r in resources(bundle, "Observation") if r["code"]["text"] == "EPDS total score")

    assert total["code"]["coding"] == [{"system": "urn:iptriad:instrument-score", "code": "epds-total"}]
    assert "valueQuantity" in total


@pytest.mark.parametrize("definition", questionnaires(), ids=lambda d: d.code)
def test_band_codes_are_local_never_a_loinc_answer_of_another_term(definition: Instrument):
    highest = tuple(3 if item.is_count else len(item.options) - 1 for item in definition.items)
    bundle = administration_bundle([record(definition, highest, "adm-1")])
    interpretations = [
        coding
        for observation in resources(bundle, "Observation")
        if "valueQuantity" in observation
        for concept in observation.get("interpretation", [])
        for coding in concept["coding"]
    ]

    assert interpretations, "a banded total should carry its band"
    assert {coding["system"] for coding in interpretations} == {"urn:iptriad:severity-band"}


@pytest.mark.parametrize(("position", "code", "display"), [(0, "LA33-6", "Yes"), (1, "LA32-8", "No")])
def test_phqa_yes_no_answers_carry_loinc_la33_6_and_la32_8(position: int, code: str, display: str):
    phqa = instrument("phqa")
    answers = (1, 1, 1, 1, 1, 1, 1, 1, 0, position, 0, position, position)
    bundle = administration_bundle([record(phqa, answers, "adm-phqa")])
    response = resources(bundle, "QuestionnaireResponse")[0]
    by_link = {item["linkId"]: item["answer"][0] for item in response["item"]}
    attempt = next(r for r in resources(bundle, "Observation") if r["code"]["coding"][0]["code"] == "phqa-13")

    for number in (10, 12, 13):
        assert by_link[f"phqa-{number}"]["valueCoding"] == {"system": LOINC, "code": code, "display": display}
    assert attempt["valueCodeableConcept"]["coding"] == [{"system": LOINC, "code": code, "display": display}]
    assert attempt["interpretation"][0]["coding"][0]["code"] == ("POS" if display == "Yes" else "NEG")


# --------------------------------------------------------------------------------------------------------------
# Every response resolves to a Questionnaire in the Bundle
# --------------------------------------------------------------------------------------------------------------


def test_every_exported_resource_of_every_instrument_validates_as_fhir_r4():
    bundle = whole_bundle()

    Bundle.model_validate(bundle)
    kinds = set()
    for entry in bundle["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert entry["fullUrl"] == f"urn:uuid:{resource['id']}"
        kinds.add(resource["resourceType"])
    assert {"Questionnaire", "QuestionnaireResponse", "Observation"} <= kinds


def test_every_response_resolves_to_one_questionnaire_in_the_bundle_and_every_answer_to_one_of_its_options():
    bundle = whole_bundle()
    forms = {f"{q['url']}|{q['version']}": q for q in resources(bundle, "Questionnaire")}
    assert len(forms) == len(resources(bundle, "Questionnaire")) == len(questionnaires())  # one per instrument

    for response in resources(bundle, "QuestionnaireResponse"):
        form = forms[response["questionnaire"]]
        items = {item["linkId"]: item for item in form["item"]}
        for answered in response["item"]:
            item = items[answered["linkId"]]
            (answer,) = answered["answer"]
            if item["type"] == "integer":  # a count (EDE-Q 13-18): the number itself, no options
                assert isinstance(answer["valueInteger"], int)
                continue
            assert item["type"] == "choice"
            chosen = answer["valueCoding"]
            matches = [
                option
                for option in item["answerOption"]
                if (option["valueCoding"]["system"], option["valueCoding"]["code"])
                == (chosen["system"], chosen["code"])
            ]
            assert len(matches) == 1, f"{response['questionnaire']} {answered['linkId']}: {chosen}"
            assert matches[0].get("extension") == chosen.get("extension")  # the same score, or none on both


@pytest.mark.parametrize(
    ("code", "panel"),
    [("phq9", "44249-1"), ("phq2", "55757-9"), ("phqa", "89206-7"), ("gad7", "69737-5"), ("epds", "71354-5")],
)
def test_the_questionnaire_carries_the_loinc_panel_code(code: str, panel: str):
    definition = instrument(code)
    bundle = administration_bundle([record(definition, tuple(0 for _ in definition.items), "adm-1")])
    (form,) = resources(bundle, "Questionnaire")

    assert form["code"] == [{"system": LOINC, "code": panel}]
    assert form["identifier"] == [{"system": LOINC, "value": panel}]
    assert "LOINC" in form["copyright"]
    assert definition.licence in form["copyright"]


def test_a_questionnaire_without_a_loinc_panel_has_no_made_up_code():
    definition = instrument("k10")
    bundle = administration_bundle([record(definition, tuple(0 for _ in definition.items), "adm-1")])
    (form,) = resources(bundle, "Questionnaire")

    assert "code" not in form
    assert "identifier" not in form
    assert "LOINC" not in form["copyright"]


def test_the_questionnaire_is_exported_once_however_many_administrations_answer_it():
    phq9 = instrument("phq9")
    answers = tuple(1 for _ in phq9.items)
    bundle = administration_bundle([record(phq9, answers, f"adm-{n}") for n in range(3)])

    assert len(resources(bundle, "Questionnaire")) == 1
    assert len(resources(bundle, "QuestionnaireResponse")) == 3
    assert bundle["entry"][0]["resource"]["resourceType"] == "Questionnaire"  # before the responses that use it


@pytest.mark.parametrize("definition", questionnaires(), ids=lambda d: d.code)
def test_a_receiver_scoring_the_response_with_the_exported_questionnaire_gets_iptriads_scores(definition: Instrument):
    for variant, answers in every_answer_of(definition):
        bundle = administration_bundle([record(definition, answers, variant)])
        (form,) = resources(bundle, "Questionnaire")
        (response,) = resources(bundle, "QuestionnaireResponse")
        scored = score_questionnaire_response(questionnaire_to_scoring_key(form), response)
        result = score(definition, answers)

        expected = {
            f"/{item.loinc}" if item.loinc else f"{definition.code}-{item.number}": item.options[position].score
            for item, position in zip(definition.items, answers, strict=False)
            if position is not None and item.scored and not item.is_count and item.options[position].score is not None
        }
        assert {link: s for link, s in scored.item_scores.items() if s is not None} == expected, variant
        counts = {f"item {definition.code}-{item.number} " for item in definition.items if item.is_count}
        problems = [p for p in scored.problems if not any(p.startswith(count) for count in counts)]
        # A count (EDE-Q 13-18) is a number in no score: a general receiver may ignore it, as this one does.
        assert not [problem for problem in problems if "option" in problem or "not in" in problem], variant
        if definition.loinc_panel:  # the receiver recognises the instrument: iptriad's own rules give the total
            assert scored.total == result.total, variant


# --------------------------------------------------------------------------------------------------------------
# The Patient and Practitioner: in the Bundle, by a business identifier, never a database id
# --------------------------------------------------------------------------------------------------------------


def references(value: Any) -> Iterator[dict[str, Any]]:
    """Every Reference anywhere in a JSON value."""
    if isinstance(value, dict):
        if isinstance(value.get("reference"), str):
            yield value
        for inner in value.values():
            yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)


def test_every_reference_resolves_inside_the_bundle_and_none_is_a_database_id():
    bundle = whole_bundle()
    full_urls = {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}
    found = list(references(bundle))

    assert found
    for reference in found:
        assert not re.fullmatch(r"[A-Za-z]+/\d+", reference["reference"]), reference
        target = full_urls[reference["reference"]]  # resolves inside the Bundle
        if target["resourceType"] in {"Patient", "Practitioner"}:
            assert reference["type"] == target["resourceType"]
            assert reference["identifier"] == target["identifier"][0]  # identifies them outside the Bundle too


def test_the_patient_is_in_the_bundle_once_by_the_organisations_record_number_without_a_name():
    bundle = whole_bundle()
    (client,) = resources(bundle, "Patient")

    assert client["identifier"] == [
        {
            "type": {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                        "code": "MR",
                        "display": "Medical record number",
                    }
                ]
            },
            "system": "urn:iptriad:organisation:north-clinic:client",
            "value": "R-0042",
            "assigner": {"display": "North Clinic"},
        }
    ]
    assert set(client) == {"resourceType", "id", "identifier"}  # no name, birth date or address
    for response in resources(bundle, "QuestionnaireResponse"):
        assert response["subject"]["reference"] == f"urn:uuid:{client['id']}"


def test_a_clinician_rated_administration_names_its_practitioner_in_the_bundle():
    hamd = instrument("hamd17")
    bundle = administration_bundle([record(hamd, tuple(0 for _ in hamd.items[:17]), "adm-hamd")])
    (rater,) = resources(bundle, "Practitioner")
    (response,) = resources(bundle, "QuestionnaireResponse")

    assert rater["identifier"] == [{"system": "urn:ietf:rfc:3986", "value": "mailto:ana.rater@north.example"}]
    assert rater["name"] == [{"text": "Ana Rater"}]
    assert response["author"]["reference"] == f"urn:uuid:{rater['id']}"
    assert response["author"]["display"] == "Ana Rater"
    for observation in resources(bundle, "Observation"):
        assert observation["performer"] == [response["author"]]
