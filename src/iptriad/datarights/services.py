"""Erasing a client: every row of every record type, then the client row itself, in one transaction.

Why the client row is deleted rather than kept as an anonymised stub is in docs/decisions/0019. The audit
events stay (they hold ids and field names, never content), and one more, CLIENT_ERASED, says who erased the
client, why, and how many rows of each type went.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import TextChoices
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, require
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client
from iptriad.datarights.graph import RecordType, erasure_order
from iptriad.datarights.models import ExportDecision, ExportFormat, ExportReason, ExportRequest
from iptriad.datarights.permissions import data_rights_policy, may_decide_export
from iptriad.datarights.selectors import has_open_risk_alert

ERROR_OPEN_RISK_ALERT = (
    "Close the open risk alert first: a clinician records the assessment and the action taken, then the client "
    "can be erased."
)
ERROR_UNKNOWN_REASON = "Choose why the client's data is erased."
ERROR_BAD_REFERENCE = (
    "Give a case or ticket number of up to 40 letters, digits, '.', '/', '_', '#', ':' or '-', or leave it empty."
)
ERROR_REFERENCE_NEEDED = "Give the case reference that records the reason."
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9./_#:-]{0,39}$"


class ErasureReason(TextChoices):
    """Why a client was erased: a choice, not free text, so the audit trail never holds a name or a story."""

    CLIENT_REQUEST = "client_request", "The client asked for their data to be erased"
    RETENTION_ENDED = "retention_ended", "The retention period for the record has ended"
    CREATED_IN_ERROR = "created_in_error", "The record was created in error (wrong person or a duplicate)"
    OTHER = "other", "Another lawful reason, given in the case reference"


@dataclass(frozen=True)
class Erasure:
    client_id: int
    removed: dict[str, int]  # rows deleted per model label, the client row included

    @property
    def total(self) -> int:
        return sum(self.removed.values())


@transaction.atomic
def client_erase(*, actor: Actor, client: Client, reason: str, reference: str = "") -> Erasure:
    """Delete everything held about the client, or nothing at all."""
    _require_on(actor, client)
    errors = _reason_errors(reason, reference)
    if errors:
        raise ValidationError(errors)
    # Locking the client row holds back anything that would add a row pointing at it (a self-report being
    # submitted right now) until the erasure has committed, so nothing is left behind.
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if has_open_risk_alert(client=locked):
        raise ValidationError(ERROR_OPEN_RISK_ALERT)
    removed: Counter[str] = Counter()
    for record_type in erasure_order():
        removed.update(_delete_rows(record_type, locked))
    removed.update(Client.objects.filter(pk=locked.pk).delete()[1])
    audit_record(
        actor=actor,
        action=AuditAction.CLIENT_ERASED,
        obj=locked,
        detail={"reason": reason, "reference": reference, "removed": dict(sorted(removed.items()))},
    )
    return Erasure(client_id=locked.pk, removed=dict(sorted(removed.items())))


def _delete_rows(record_type: RecordType, client: Client) -> dict[str, int]:
    """One record type's rows of the client, with what cascades from them; counts per model label."""
    rows = record_type.model._base_manager.filter(**{record_type.path: client})
    return {label: count for label, count in rows.delete()[1].items() if count}


def _reason_errors(reason: str, reference: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if reason not in ErasureReason.values:
        errors["reason"] = ERROR_UNKNOWN_REASON
    if reference and not re.fullmatch(REFERENCE_PATTERN, reference):
        errors["reference"] = ERROR_BAD_REFERENCE
    elif reason == ErasureReason.OTHER and not reference:
        errors["reference"] = ERROR_REFERENCE_NEEDED
    return errors


def _require_on(actor: Actor, client: Client) -> None:
    """Erasure is reached from a page and the command line: check the object as well as the role."""
    require(data_rights_policy, actor, Action.ERASE)
    if not data_rights_policy.scope(actor, Action.ERASE, Client.objects.filter(pk=client.pk)).exists():
        raise PermissionDenied("You may not erase this client's data.")


ERROR_UNKNOWN_EXPORT_REASON = "Choose why the client's data is exported."
ERROR_UNKNOWN_FORMAT = "Choose which file to export."
ERROR_ALREADY_DECIDED = "This export request was already approved or refused."
ERROR_NOT_DOWNLOADABLE = (
    "This export cannot be downloaded: it is not approved yet, was refused, was downloaded already, or its time to "
    "download has passed. Ask for a new export."
)


@transaction.atomic
def export_request_create(
    *, actor: Actor, client: Client, export_format: str, reason: str, reference: str = ""
) -> ExportRequest:
    """An administrator asks to export a client's whole record; nothing is made until a clinician approves."""
    require(data_rights_policy, actor, Action.EXPORT)
    if not data_rights_policy.scope(actor, Action.EXPORT, Client.objects.filter(pk=client.pk)).exists():
        raise PermissionDenied("You may not export this client's data.")
    errors: dict[str, str] = {}
    if export_format not in ExportFormat.values:
        errors["export_format"] = ERROR_UNKNOWN_FORMAT
    if reason not in ExportReason.values:
        errors["reason"] = ERROR_UNKNOWN_EXPORT_REASON
    if reference and not re.fullmatch(REFERENCE_PATTERN, reference):
        errors["reference"] = ERROR_BAD_REFERENCE
    elif reason == ExportReason.OTHER and not reference:
        errors["reference"] = ERROR_REFERENCE_NEEDED
    if errors:
        raise ValidationError(errors)
    request = ExportRequest.objects.create(
        organisation_id=client.organisation_id,
        client=client,
        export_format=export_format,
        reason=reason,
        reference=reference,
        requested_by=actor.member(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT_REQUESTED,
        obj=request,
        detail={"client": client.pk, "format": export_format, "reason": reason, "reference": reference},
    )
    return request


@transaction.atomic
def export_request_decide(*, actor: Actor, request: ExportRequest, approve: bool) -> ExportRequest:
    """A supervisor, or the client's therapist, approves or refuses an export (never the person who asked)."""
    locked = ExportRequest.objects.select_for_update().select_related("client").get(pk=request.pk)
    if not may_decide_export(actor, client=locked.client, requested_by_id=locked.requested_by_id):
        raise PermissionDenied("You may not decide on this export.")
    if locked.decision != ExportDecision.PENDING:
        raise ValidationError(ERROR_ALREADY_DECIDED)
    locked.decision = ExportDecision.APPROVED if approve else ExportDecision.REFUSED
    locked.decided_by = actor.member()
    locked.decided_at = timezone.now()
    locked.save(update_fields=["decision", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT_APPROVED if approve else AuditAction.EXPORT_REFUSED,
        obj=locked,
        detail={"client": locked.client_id, "requested_by": locked.requested_by_id},
    )
    return locked


@transaction.atomic
def export_request_use(*, actor: Actor, request: ExportRequest) -> ExportRequest:
    """The requester takes the approved export: once, within the download window; the file is then made (and
    audited as exported) by iptriad.datarights.export in the same transaction."""
    locked = ExportRequest.objects.select_for_update().get(pk=request.pk)
    if actor.user is None or locked.requested_by_id != actor.user.pk or not locked.downloadable:
        raise ValidationError(ERROR_NOT_DOWNLOADABLE)
    locked.downloaded_at = timezone.now()
    locked.save(update_fields=["downloaded_at"])
    return locked
