"""Export administrations as a FHIR R4 Bundle (type "collection") of plain JSON-ready dicts.

The Bundle opens with the Questionnaire of every instrument version it answers (``questionnaire``), once each, so
a receiver resolves each response's ``questionnaire`` canonical inside the Bundle. Then each administration gives,
in this order:

* a QuestionnaireResponse: status completed, ``questionnaire`` = ``urn:iptriad:questionnaire:<code>|<version>``, one
  item per answered question (unanswered items are left out, as FHIR expects), linkId ``/<item LOINC>`` (the
  US Core / LHC-Forms convention) or ``<code>-<number>`` when the item has no LOINC code. Item text is included only
  when the instrument ships its text. Every answer is a ``valueCoding``, exactly one of its Questionnaire item's
  answerOptions: the LOINC answer code when the option has one, else ``urn:iptriad:instrument-option``
  ``<instrument>-<item>-<printed position from 1>``; the option's score rides on it as an ``ordinalValue`` extension,
  on scored items only (so a receiver that sums ordinalValues does not count e.g. the PHQ-9 difficulty item) and
  never on an option excluded from the total ("not assessed").
  A count item (EDE-Q 13-18: how many times) is a ``valueInteger`` holding the count.
* an Observation for the total: LOINC total code when known, else ``urn:iptriad:instrument-score`` ``<code>-total``;
  ``valueQuantity`` in UCUM ``{score}``; the band in ``interpretation`` (local ``urn:iptriad:severity-band`` code
  only, as instruments.md 19.3 advises); a prorated total, or one that leaves items out (the WSAS work item for
  someone retired: items 2-5, out of 32), says so in ``note``. When the
  answers give no valid total the Observation is still sent, with ``dataAbsentReason`` "unknown" and the engine's
  reasons in ``note``, so a receiver sees that the administration happened and why it has no score.
* an Observation per critical item (e.g. PHQ-9 item 9): ``valueCodeableConcept`` with the answer's coding (as in the
  response); ``interpretation`` POS (risk: review the same day) or NEG. A critical item left
  unanswered gets ``dataAbsentReason`` "asked-unknown" and a note, never a value of 0.

The Patient and the Practitioners referred to follow the Questionnaires, once each (``parties``): every ``subject``,
``author`` and ``performer`` gives the person's fullUrl in the Bundle and their business identifier, never a
database id.

Observations carry ``status`` final, ``category`` survey, ``subject``, ``effectiveDateTime`` (the completion time, in
UTC), ``performer`` (the author, when known) and ``derivedFrom`` the QuestionnaireResponse. Every ``fullUrl`` is
``urn:uuid:<uuid5 of the administration id and the resource's role>``, so exporting twice gives identical Bundles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from iptriad.core.fhir.codes import (
    ADMINISTRATION_SYSTEM,
    BAND_SYSTEM,
    DATA_ABSENT_REASON,
    INTERPRETATION,
    JSON,
    LOINC,
    OBSERVATION_CATEGORY,
    SCORE_SYSTEM,
    SCORE_UNIT,
    UCUM,
    slug,
    stable_uuid,
)
from iptriad.core.fhir.parties import Party
from iptriad.core.fhir.questionnaire import (
    item_code,
    item_text,
    link_id,
    option_coding,
    option_score,
    ordinal_value,
    questionnaire,
    questionnaire_canonical,
)
from iptriad.core.instruments.model import Instrument, Item, Scoring
from iptriad.core.instruments.scoring import AnswerError, ScoreResult, accepted_answer_counts


@dataclass(frozen=True)
class AdministrationRecord:
    """One completed administration: the answers (0-based option positions, None = unanswered) and their score."""

    id: str  # stable and unique per administration: the export's uuids are derived from it
    instrument: Instrument
    answers: tuple[int | None, ...]
    result: ScoreResult
    completed_at: datetime  # aware; converted to UTC
    patient: Party  # the client, by record number (iptriad.core.fhir.parties)
    author: Party | None = None  # who answered: the client (self-report) or the clinician who recorded it


def _check(record: AdministrationRecord) -> None:
    instrument = record.instrument
    if not record.id:
        raise ValueError("an administration needs a non-empty id")
    if record.completed_at.tzinfo is None or record.completed_at.utcoffset() is None:
        raise ValueError(f"administration {record.id}: completed_at must be timezone-aware")
    if record.patient.resource_type != "Patient":
        raise ValueError(f"administration {record.id}: the subject must be a Patient")
    if instrument.scoring == Scoring.SOCIAL_RHYTHM:
        raise ValueError(f"administration {record.id}: {instrument.code} is a diary, not a questionnaire")
    if (record.result.instrument, record.result.version) != (instrument.code, instrument.version):
        raise ValueError(
            f"administration {record.id}: the result is for {record.result.instrument} {record.result.version}, "
            f"not {instrument.code} {instrument.version}"
        )
    if len(record.answers) not in accepted_answer_counts(instrument):
        raise AnswerError(f"administration {record.id}: {len(record.answers)} answers do not fit {instrument.code}")
    for item, position in zip(instrument.items, record.answers, strict=False):
        if item.count is not None:
            if position is not None and not 0 <= position <= item.count.maximum:
                raise AnswerError(f"administration {record.id}: {instrument.code} item {item.number}: bad count")
            continue
        if position is not None and not 0 <= position < len(item.options):
            raise AnswerError(
                f"administration {record.id}: {instrument.code} item {item.number}: position {position} is out of "
                f"range 0-{len(item.options) - 1}"
            )


def _datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _answer(instrument: Instrument, item: Item, position: int) -> JSON:
    """One QuestionnaireResponse answer: the option's coding as its Questionnaire lists it, with its score."""
    if item.is_count:
        return {"valueInteger": position}  # how many times (EDE-Q 13-18): the number itself, never scored
    coding = option_coding(instrument, item, position)
    score = option_score(item, position)
    if score is not None:  # a receiver summing ordinalValues must not count e.g. the PHQ-9 difficulty item
        coding["extension"] = [ordinal_value(score)]
    return {"valueCoding": coding}


def _questionnaire_response(record: AdministrationRecord, qr_id: str) -> JSON:
    instrument = record.instrument
    items: list[JSON] = []
    for item, position in zip(instrument.items, record.answers, strict=False):
        if position is None:
            continue
        entry: JSON = {"linkId": link_id(instrument, item)}
        text = item_text(instrument, item)
        if text:
            entry["text"] = text
        entry["answer"] = [_answer(instrument, item, position)]
        items.append(entry)
    resource: JSON = {
        "resourceType": "QuestionnaireResponse",
        "id": qr_id,
        "identifier": {"system": ADMINISTRATION_SYSTEM, "value": record.id},
        "questionnaire": questionnaire_canonical(instrument),
        "status": "completed",
        "subject": record.patient.reference(),
        "authored": _datetime(record.completed_at),
    }
    if record.author is not None:
        resource["author"] = record.author.reference()
    if items:
        resource["item"] = items
    return resource


def _observation(record: AdministrationRecord, obs_id: str, qr_id: str, code: JSON) -> JSON:
    resource: JSON = {
        "resourceType": "Observation",
        "id": obs_id,
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": code,
        "subject": record.patient.reference(),
        "effectiveDateTime": _datetime(record.completed_at),
    }
    if record.author is not None:
        resource["performer"] = [record.author.reference()]
    resource["derivedFrom"] = [{"reference": f"urn:uuid:{qr_id}"}]
    return resource


def _total_observation(record: AdministrationRecord, obs_id: str, qr_id: str) -> JSON:
    instrument, result = record.instrument, record.result
    coding = (
        {"system": LOINC, "code": instrument.loinc_total}
        if instrument.loinc_total
        else {"system": SCORE_SYSTEM, "code": f"{instrument.code}-total"}
    )
    resource = _observation(record, obs_id, qr_id, {"coding": [coding], "text": f"{instrument.short_name} total score"})
    notes: list[str] = []
    if result.valid and result.total is not None:
        resource["valueQuantity"] = {"value": result.total, "unit": SCORE_UNIT, "system": UCUM, "code": SCORE_UNIT}
        band = instrument.band_for(result.total)
        if band is not None:
            # Local only: LOINC has no answer list for the bands of these totals (PHQ-9's LL382-3 belongs to the
            # deprecated 44262-4), and a code from another term's list would say something it does not mean.
            coding = {"system": BAND_SYSTEM, "code": f"{instrument.code}-{slug(band.label)}", "display": band.label}
            resource["interpretation"] = [{"coding": [coding], "text": band.label}]
        if result.prorated:
            missing = ", ".join(str(n) for n in result.missing)
            notes.append(f"Prorated total: item(s) {missing} not answered ({instrument.missing.policy.value} policy).")
        elif result.basis:
            notes.append(f"The total counts {result.basis}.")  # e.g. WSAS retired: items 2-5, out of 32
    else:
        resource["dataAbsentReason"] = {"coding": [{"system": DATA_ABSENT_REASON, "code": "unknown"}]}
        notes.append("No valid total: " + ("; ".join(result.reasons) or "the answers do not allow one") + ".")
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    return resource


def _critical_observation(record: AdministrationRecord, item: Item, obs_id: str, qr_id: str) -> JSON:
    instrument, result = record.instrument, record.result
    resource = _observation(record, obs_id, qr_id, item_code(instrument, item))
    index = item.number - 1
    position = record.answers[index] if index < len(record.answers) else None
    if position is None:
        resource["dataAbsentReason"] = {"coding": [{"system": DATA_ABSENT_REASON, "code": "asked-unknown"}]}
        resource["note"] = [{"text": "Risk item not answered: follow up with the client; it is not scored as 0."}]
        return resource
    coding = option_coding(instrument, item, position)
    concept: JSON = {"coding": [coding]}
    if "display" in coding:
        concept["text"] = coding["display"]
    resource["valueCodeableConcept"] = concept
    score = item.options[position].score
    rule = item.critical
    positive = item.number in result.critical or (
        rule is not None and score is not None and float(score) >= rule.min_score
    )
    flag = ("POS", "Positive") if positive else ("NEG", "Negative")
    resource["interpretation"] = [
        {
            "coding": [{"system": INTERPRETATION, "code": flag[0], "display": flag[1]}],
            "text": "Risk item positive: clinician review the same day" if positive else "Risk item negative",
        }
    ]
    return resource


def _entry(resource: JSON) -> JSON:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def administration_entries(record: AdministrationRecord) -> list[JSON]:
    """The Bundle entries for one administration: QuestionnaireResponse, total Observation, critical Observations."""
    _check(record)
    qr_id = stable_uuid(record.id, "questionnaire-response")
    entries = [
        _entry(_questionnaire_response(record, qr_id)),
        _entry(_total_observation(record, stable_uuid(record.id, "observation", "total"), qr_id)),
    ]
    for item in record.instrument.critical_items:
        obs_id = stable_uuid(record.id, "observation", "item", str(item.number))
        entries.append(_entry(_critical_observation(record, item, obs_id, qr_id)))
    return entries


def administration_bundle(records: Iterable[AdministrationRecord]) -> JSON:
    """A FHIR R4 Bundle of type "collection" for the administrations, in the order given."""
    records = list(records)
    ids = [record.id for record in records]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"administration ids must be unique; repeated: {', '.join(duplicated)}")
    bundle: JSON = {"resourceType": "Bundle", "id": stable_uuid("bundle", *ids), "type": "collection"}
    entries = [entry for record in records for entry in administration_entries(record)]
    # Each Questionnaire and person once, first seen first, before the resources that refer to them.
    forms = {(r.instrument.code, r.instrument.version): r.instrument for r in records}
    people = {party.full_url: party for r in records for party in (r.patient, r.author) if party is not None}
    entries = (
        [_entry(questionnaire(instrument)) for instrument in forms.values()]
        + [_entry(party.resource()) for party in people.values()]
        + entries
    )
    if entries:
        bundle["entry"] = entries
    return bundle
