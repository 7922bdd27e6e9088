"""Writing audit events. Callers run inside their own transaction, so the event and the change commit together.

Every writer goes through `iptriad.audit.chain.append_event`, which links the event into its organisation's
hash chain. Who acts and what they act in arrive structurally (iptriad.audit.parties): audit sits below accounts.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from iptriad.audit.chain import append_event
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.audit.parties import Acting, SavedRow
from iptriad.audit.refusals import Refusal, refusal_record


def audit_record(
    *, actor: Acting, action: AuditAction, obj: Model | None = None, detail: dict[str, Any] | None = None
) -> AuditEvent:
    return append_event(
        organisation=actor.organisation,
        actor=actor.user,
        action=action,
        object_type=_object_type(obj),
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail,
        ip_address=actor.ip_address,
    )


def audit_record_auth(
    *,
    action: AuditAction,
    user: SavedRow | None,
    organisation: SavedRow | None,
    ip_address: str | None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Authentication events, which can happen before there is an organisation to act in."""
    return append_event(organisation=organisation, actor=user, action=action, detail=detail, ip_address=ip_address)


def audit_record_without_member(
    *,
    organisation: SavedRow,
    action: AuditAction,
    obj: Model | None = None,
    ip_address: str | None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Events caused by someone who is not a member, such as a client answering a self-report link."""
    return append_event(
        organisation=organisation,
        actor=None,
        action=action,
        object_type=_object_type(obj),
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail,
        ip_address=ip_address,
    )


def audit_record_denied(
    *, user: SavedRow | None, organisation: SavedRow | None, ip_address: str | None, detail: dict[str, Any]
) -> None:
    """A request the application refused (401, 403, or 404 to someone signed in): recorded by the middleware.

    Bounded per source and minute (iptriad.audit.refusals): the first in full, the rest as one count.
    """
    refusal_record(refusal=Refusal(user=user, organisation=organisation, ip_address=ip_address), detail=detail)


def _object_type(obj: Model | None) -> str:
    return (obj._meta.model_name or "") if obj is not None else ""
