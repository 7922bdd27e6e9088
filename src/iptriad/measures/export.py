"""A client's measures as a FHIR R4 Bundle (iptriad.core.fhir), for the page's download and `iptriad export fhir`.

Each administration is rebuilt from its stored answers and rescored by the definition of the version it was
answered against, so the Bundle's totals come from the scoring engine, not from a copy. The patient is the
client, by the organisation's record number; the author is the clinician who recorded it (by sign-in e-mail and
name), else the client (a self-report link): both travel in the Bundle (iptriad.core.fhir.parties). Reading the
whole record is audited as MEASURE_VIEWED with {"export": "fhir"}.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.core.fhir import AdministrationRecord, Party, administration_bundle, patient, practitioner
from iptriad.core.instruments import AnswerError, UnknownInstrumentError, instrument, score
from iptriad.core.instruments.model import Scoring
from iptriad.measures.models import Administration
from iptriad.measures.selectors import administrations_for_export

LEFT_OUT_UNKNOWN = "administration {id}: the {code} instrument is not installed"
LEFT_OUT_VERSION = (
    "administration {id}: answered against {code} version {stored}, but this installation has version {shipped}"
)
LEFT_OUT_DIARY = "administration {id}: {code} is a diary, which FHIR questionnaires do not carry"
LEFT_OUT_ANSWERS = "administration {id}: its stored answers do not fit {code} ({error})"


@dataclass(frozen=True)
class FhirExport:
    bundle: dict[str, Any]
    exported: int
    left_out: tuple[str, ...]  # why each administration that could not be exported faithfully was left out


def client_patient(client: Client) -> Party:
    """The client as the export's Patient: the organisation's record number, never the database id."""
    organisation = client.organisation
    return patient(
        record_number=client.identifier, organisation_slug=organisation.slug, organisation_name=organisation.name
    )


def fhir_record(administration: Administration, subject: Party) -> AdministrationRecord | str:
    """The export's view of one administration, or why it cannot be exported (a reason naming no client)."""
    code, pk = administration.instrument_code, administration.pk
    try:
        # The shipped definition, not the one with the operator's locally loaded wording: that wording is licensed
        # to this site (EPDS, WSAS), so it stays here; the export carries the structure, codes and scores.
        definition = instrument(code)
    except UnknownInstrumentError:
        return LEFT_OUT_UNKNOWN.format(id=pk, code=code)
    if definition.version != administration.instrument_version:
        # Answers are positions on the printed form of their version: read against another, they could mean
        # something else. Only the shipped version's definition is installed, so such an answer is left out.
        return LEFT_OUT_VERSION.format(
            id=pk, code=code, stored=administration.instrument_version, shipped=definition.version
        )
    if definition.scoring == Scoring.SOCIAL_RHYTHM:
        return LEFT_OUT_DIARY.format(id=pk, code=code)
    answers = tuple(answer.position for answer in sorted(administration.answers.all(), key=lambda a: a.item_number))
    try:
        result = score(definition, answers)
    except AnswerError as error:
        return LEFT_OUT_ANSWERS.format(id=pk, code=code, error=error)
    recorder = administration.recorded_by  # selected with the administration
    return AdministrationRecord(
        id=str(pk),
        instrument=definition,
        answers=answers,
        result=result,
        completed_at=administration.completed_at,
        patient=subject,
        author=subject if recorder is None else practitioner(email=recorder.email, name=recorder.full_name),
    )


def client_fhir_export(*, actor: Actor, client: Client) -> FhirExport:
    """The client's administrations, oldest first, as one Bundle: two queries and the audit event."""
    records: list[AdministrationRecord] = []
    left_out: list[str] = []
    subject = client_patient(client)
    for administration in administrations_for_export(actor=actor, client=client):
        record = fhir_record(administration, subject)
        if isinstance(record, str):
            left_out.append(record)
        else:
            records.append(record)
    bundle = administration_bundle(records)
    audit_record(actor=actor, action=AuditAction.MEASURE_VIEWED, obj=client, detail={"export": "fhir"})
    return FhirExport(bundle=bundle, exported=len(records), left_out=tuple(left_out))


def json_chunks(bundle: dict[str, Any]) -> Iterator[str]:
    """The Bundle as JSON, piece by piece, so a large export is written as it is encoded."""
    return json.JSONEncoder(ensure_ascii=False).iterencode(bundle)
