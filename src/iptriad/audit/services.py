"""Writing audit events. Callers run inside their own transaction, so the event and the change commit together."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Organisation, User
from iptriad.audit.models import AuditAction, AuditEvent


def audit_record(
    *, actor: Actor, action: AuditAction, obj: Model | None = None, detail: dict[str, Any] | None = None
) -> AuditEvent:
    return AuditEvent.objects.create(
        organisation=actor.organisation,
        actor=actor.user,
        action=action,
        object_type=obj._meta.model_name or "" if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        ip_address=actor.ip_address,
    )


def audit_record_auth(
    *,
    action: AuditAction,
    user: User | None,
    organisation: Organisation | None,
    ip_address: str | None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Authentication events, which can happen before there is an organisation to act in."""
    return AuditEvent.objects.create(
        organisation=organisation, actor=user, action=action, detail=detail or {}, ip_address=ip_address
    )


def audit_record_without_member(
    *,
    organisation: Organisation,
    action: AuditAction,
    obj: Model | None = None,
    ip_address: str | None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Events caused by someone who is not a member, such as a client answering a self-report link."""
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=None,
        action=action,
        object_type=(obj._meta.model_name or "") if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
        ip_address=ip_address,
    )
