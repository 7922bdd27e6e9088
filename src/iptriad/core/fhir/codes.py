"""The code systems, extension URLs and local identifiers the FHIR R4 export and import share.

Local code systems are URNs under ``urn:iptriad:`` because iptriad has no web address of its own to mint canonical
URLs from; a site that publishes CodeSystem resources can map them.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

JSON = dict[str, Any]

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"

# Extensions that carry an answer's score. R4 core names it ordinalValue (the same as iso21090-CO-value in older
# builds); R5 calls it itemWeight. All three are read on import; only ordinalValue is written on export.
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
WEIGHT_EXTENSIONS = (
    ORDINAL_VALUE,
    "http://hl7.org/fhir/StructureDefinition/iso21090-CO-value",
    "http://hl7.org/fhir/StructureDefinition/itemWeight",
)
OPTION_PREFIX = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionPrefix"
CALCULATED_EXPRESSION = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"

# Local code systems (urn:iptriad:...), used where an instrument has no LOINC code for something.
QUESTIONNAIRE_PREFIX = "urn:iptriad:questionnaire:"  # + "<instrument>|<version>": the canonical of our form
ADMINISTRATION_SYSTEM = "urn:iptriad:administration"  # identifier system for the administration id
SCORE_SYSTEM = "urn:iptriad:instrument-score"  # "<instrument>-total"
ITEM_SYSTEM = "urn:iptriad:instrument-item"  # "<instrument>-<item number>"
OPTION_SYSTEM = "urn:iptriad:instrument-option"  # "<instrument>-<item number>-<printed position, from 1>"
BAND_SYSTEM = "urn:iptriad:severity-band"  # "<instrument>-<band label slug>"

SCORE_UNIT = "{score}"

# Fixed namespace for the uuid5 of every exported resource, so the same administration always exports the same ids.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:iptriad:fhir")


def stable_uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def slug(text: str) -> str:
    """'none / minimal' -> 'none-minimal': a FHIR code without spaces or slashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def number(value: object) -> int | float | None:
    """A JSON number as int when whole (12.0 -> 12), else float; None for anything else (bool included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def loinc_code(codings: object) -> str | None:
    """The first LOINC code in a list of codings. A coding without a system counts as LOINC when its code looks like
    one (digits-check digit, or an LA/LL answer code): the lforms and UW CIRG exports leave the system out."""
    if not isinstance(codings, list):
        return None
    for coding in codings:
        if not isinstance(coding, dict) or not isinstance(coding.get("code"), str):
            continue
        system = coding.get("system")
        code = str(coding["code"])
        if system == LOINC or (system is None and re.fullmatch(r"(\d{1,7}-\d|L[AL]\d{1,7}-\d)", code)):
            return code
    return None
