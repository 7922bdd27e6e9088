"""Writing audit events. Callers run inside their own transaction, so the event and the change commit together.

Every writer goes through `iptriad.audit.chain.append_event`, which links the event into its organisation's
hash chain.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Organisation, User
from iptriad.accounts.permissions import Action, require
from iptriad.audit.chain import ChainReport, append_event, verify_chains
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.audit.permissions import audit_policy


def audit_record(
    *, actor: Actor, action: AuditAction, obj: Model | None = None, detail: dict[str, Any] | None = None
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
    user: User | None,
    organisation: Organisation | None,
    ip_address: str | None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Authentication events, which can happen before there is an organisation to act in."""
    return append_event(organisation=organisation, actor=user, action=action, detail=detail, ip_address=ip_address)


def audit_record_without_member(
    *,
    organisation: Organisation,
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
    *, user: User | None, organisation: Organisation | None, ip_address: str | None, detail: dict[str, Any]
) -> AuditEvent:
    """A request the application refused (401, 403, or 404 to someone signed in): recorded by the middleware."""
    return append_event(
        organisation=organisation, actor=user, action=AuditAction.ACCESS_DENIED, detail=detail, ip_address=ip_address
    )


def audit_verify_organisation(*, actor: Actor) -> ChainReport:
    """Check the actor's organisation's chain end to end (the page's button), and record that it was checked.

    No transaction around the check: on SQLite it would hold the write lock for the whole scan.
    """
    require(audit_policy, actor, Action.VIEW)
    [chain] = verify_chains(actor.organisation).chains
    audit_record(
        actor=actor,
        action=AuditAction.AUDIT_VERIFIED,
        detail={"events": chain.events_checked, "problems": chain.problem_count},
    )
    return chain


def _object_type(obj: Model | None) -> str:
    return (obj._meta.model_name or "") if obj is not None else ""
