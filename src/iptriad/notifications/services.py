"""Changing an organisation's notification settings: administrators, validated, audited (field names only)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db import transaction

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, require
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.notifications.models import NotificationSettings
from iptriad.notifications.permissions import notification_settings_policy
from iptriad.notifications.settings import notification_settings_for


@dataclasses.dataclass(frozen=True)
class SettingsDetails:
    alert_escalation_minutes: int
    on_call_email: str
    quiet_hours_start: dt.time
    quiet_hours_end: dt.time
    link_lead_days: int
    link_valid_days: int
    reminder_after_days: int
    reminder_count: int
    sms_enabled: bool


@transaction.atomic
def notification_settings_update(*, actor: Actor, details: SettingsDetails) -> NotificationSettings:
    require(notification_settings_policy, actor, Action.UPDATE)
    settings = notification_settings_for(actor.organisation)
    changed = [
        field.name
        for field in dataclasses.fields(details)
        if getattr(settings, field.name) != getattr(details, field.name)
    ]
    if not changed:
        return settings
    for name in changed:
        setattr(settings, name, getattr(details, name))
    settings.full_clean(exclude=["organisation"])  # the ranges, for callers other than the form
    settings.save()
    audit_record(
        actor=actor, action=AuditAction.NOTIFICATION_SETTINGS_CHANGED, obj=settings, detail={"fields": changed}
    )
    return settings
