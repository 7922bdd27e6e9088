"""Everything held about one client, as one JSON document or as the FHIR Bundle of their measures.

The JSON document is built generically from `client_record_types()`: every concrete field of every row, keyed
by the field's column name ("course_id" for a key), and each many-to-many field as a list of ids. Only the
fields in `EXCLUDED_FIELDS` are left out; tests/datarights/test_graph.py fails when a record type grows a field
whose name suggests a secret and nobody decided whether it belongs in an export. Every export is audited
as CLIENT_EXPORTED with its format.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, require
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.core.fhir import AdministrationRecord, administration_bundle
from iptriad.datarights.permissions import data_rights_policy
from iptriad.datarights.selectors import administrations_with_answers, audit_events_about, client_records, staff_names
from iptriad.measures.export import FhirExport, client_patient, fhir_record

EXPORT_FORMAT = "iptriad-client-export"
EXPORT_VERSION = 1

# Left out of every export, by model label. A self-report link's token hash is a credential while the link
# waits; the client's search text is a folded copy of the names already exported; a queued message's body may
# hold a live self-report link (a credential), and is wiped once the message has gone.
EXCLUDED_FIELDS: dict[str, frozenset[str]] = {
    "measures.SelfReportLink": frozenset({"token_hash"}),
    "notifications.Message": frozenset({"body"}),
    # A scheduled link keeps its link's token and its opt-out token (encrypted, for reminders) while the link can
    # be answered: credentials, like the hash of the opt-out token that keeps working.
    "notifications.ScheduledLink": frozenset({"link_token", "stop_token", "stop_token_hash"}),
    "clients.Client": frozenset({"search_text"}),
}

_USER_LABEL = settings.AUTH_USER_MODEL

# A download's file name keeps letters, digits, "_" and "-" of the identifier (which may also hold "." and "/").
_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9_-]+")


def client_json_export(*, actor: Actor, client: Client) -> dict[str, Any]:
    """The whole record of the client as one JSON-ready document, audited as exported."""
    _require_on(actor, client)
    records = client_records(client=client)
    rows = [row for type_rows in records.values() for row in type_rows]
    events = audit_events_about(client=client, records=rows)
    user_ids = {pk for row in [client, *rows] for pk in _user_ids(row)}
    user_ids |= {event.actor_id for event in events if event.actor_id is not None}
    names = staff_names(user_ids=user_ids)
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": timezone.now(),
        "exported_by": {"id": actor.user_id, "name": _exporter_name(actor)},
        "organisation": {"id": client.organisation_id, "name": client.organisation.name},
        "client": _row(client),
        "records": {record_type.label: [_row(row) for row in type_rows] for record_type, type_rows in records.items()},
        "staff": {str(pk): name for pk, name in sorted(names.items())},
        "audit_events": [_event(event) for event in events],
    }
    audit_record(
        actor=actor,
        action=AuditAction.CLIENT_EXPORTED,
        obj=client,
        detail={"format": "json", "records": sum(len(type_rows) for type_rows in records.values())},
    )
    return document


def client_fhir_export(*, actor: Actor, client: Client) -> FhirExport:
    """The client's measures as the FHIR R4 Bundle of iptriad.measures.export, audited as exported."""
    _require_on(actor, client)
    records: list[AdministrationRecord] = []
    left_out: list[str] = []
    subject = client_patient(client)
    for administration in administrations_with_answers(client=client):
        record = fhir_record(administration, subject)
        if isinstance(record, str):
            left_out.append(record)
        else:
            records.append(record)
    audit_record(
        actor=actor,
        action=AuditAction.CLIENT_EXPORTED,
        obj=client,
        detail={"format": "fhir", "records": len(records), "left_out": len(left_out)},
    )
    return FhirExport(bundle=administration_bundle(records), exported=len(records), left_out=tuple(left_out))


def export_filename(client: Client, day: dt.date, extension: str) -> str:
    """`client-<identifier>-<date>.<extension>`; anything but letters, digits, '_' and '-' becomes '-'."""
    identifier = _UNSAFE_IN_FILENAME.sub("-", client.identifier).strip("-") or str(client.pk)
    return f"client-{identifier}-{day.isoformat()}.{extension}"


def document_chunks(document: dict[str, Any]) -> Iterator[str]:
    """The document as JSON, piece by piece; dates, times and decimals as ISO text and strings."""
    return DjangoJSONEncoder(ensure_ascii=False, indent=1).iterencode(document)


def _require_on(actor: Actor, client: Client) -> None:
    """Exports are reached from pages and the command line: check the object as well as the role."""
    require(data_rights_policy, actor, Action.EXPORT)
    if not data_rights_policy.scope(actor, Action.EXPORT, Client.objects.filter(pk=client.pk)).exists():
        raise PermissionDenied("You may not export this client's data.")


def _row(row: Model) -> dict[str, Any]:
    excluded = EXCLUDED_FIELDS.get(row._meta.label, frozenset())
    values: dict[str, Any] = {
        field.attname: field.value_from_object(row) for field in row._meta.concrete_fields if field.name not in excluded
    }
    for field in row._meta.many_to_many:
        if field.name not in excluded:
            values[field.name] = sorted(related.pk for related in getattr(row, field.name).all())
    return values


def _user_ids(row: Model) -> Iterator[int]:
    for field in row._meta.concrete_fields:
        target = field.related_model
        if isinstance(target, type) and target._meta.label == _USER_LABEL:
            value = field.value_from_object(row)
            if value is not None:
                yield int(value)


def _event(event: AuditEvent) -> dict[str, Any]:
    exported: dict[str, Any] = {
        "id": event.pk,
        "at": event.created_at,
        "action": event.action,
        "description": event.get_action_display(),
        "actor_id": event.actor_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "detail": event.detail,
    }
    if event.actor_id is None:
        # Without a staff actor the address is the client's own (a self-report) or none (the command line);
        # a staff member's address is their personal data, not the client's, and stays out.
        exported["ip_address"] = event.ip_address
    return exported


def _exporter_name(actor: Actor) -> str:
    return "An operator at the command line" if actor.user is None else str(actor.user)
