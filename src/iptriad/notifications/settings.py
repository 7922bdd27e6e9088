"""Reading an organisation's notification settings (created with the defaults on first read)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from iptriad.accounts.models import Organisation
from iptriad.notifications.models import NotificationSettings


def notification_settings_for(organisation: Organisation, *, create: bool = True) -> NotificationSettings:
    """The organisation's settings; with `create=False` (a page that only reads) unsaved defaults if none yet."""
    found = NotificationSettings.objects.filter(organisation=organisation).select_related("organisation").first()
    if found is not None:
        return found
    if not create:
        return NotificationSettings(organisation=organisation)
    try:
        with transaction.atomic():
            return NotificationSettings.objects.create(organisation=organisation)
    except IntegrityError:  # created at the same moment by another request
        return NotificationSettings.objects.select_related("organisation").get(organisation=organisation)
