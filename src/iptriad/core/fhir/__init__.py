"""FHIR R4 in plain Python dicts: export administrations as a Bundle, import and rescore Questionnaire responses.

No FHIR library is used at run time; the tests validate the export with ``fhir.resources``. The rules for every
choice (linkIds, answer encoding, local code systems, absent data, how imports are matched to our instruments) are in
the docstrings of ``export``, ``questionnaire``, ``parties``, ``key`` and ``response``.
"""

from iptriad.core.fhir.export import AdministrationRecord, administration_bundle, administration_entries
from iptriad.core.fhir.key import FhirInputError, KeyItem, KeyOption, ScoringKey, questionnaire_to_scoring_key
from iptriad.core.fhir.parties import Party, patient, practitioner
from iptriad.core.fhir.response import ImportedScore, score_questionnaire_response

__all__ = [
    "AdministrationRecord",
    "FhirInputError",
    "ImportedScore",
    "KeyItem",
    "KeyOption",
    "Party",
    "ScoringKey",
    "administration_bundle",
    "administration_entries",
    "patient",
    "practitioner",
    "questionnaire_to_scoring_key",
    "score_questionnaire_response",
]
