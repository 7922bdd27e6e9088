"""The audit events of a message's life: kind, channel, state and why, never its content or its address."""

from __future__ import annotations

from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record_without_member
from iptriad.notifications.models import Message


def message_audit(message: Message, action: AuditAction) -> None:
    detail: dict[str, str | int] = {
        "kind": message.kind,
        "channel": message.channel,
        "state": message.state,
        "attempts": message.attempts,
        "to": "client" if message.to_a_client else "staff",
    }
    if message.reason:
        detail["reason"] = message.reason
    audit_record_without_member(
        organisation=message.organisation, action=action, obj=message, ip_address=None, detail=detail
    )
