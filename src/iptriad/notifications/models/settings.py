"""An organisation's notification settings: escalation, quiet hours, when links and reminders go."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from iptriad.accounts.models import Organisation

MINUTES_MIN = 5
MINUTES_MAX = 7 * 24 * 60  # a week
REMINDER_COUNT_MAX = 2


class NotificationSettings(models.Model):
    """One row per organisation, created with the defaults on first read (notification_settings_for)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    alert_escalation_minutes = models.PositiveIntegerField(
        default=240,
        validators=[MinValueValidator(MINUTES_MIN), MaxValueValidator(MINUTES_MAX)],
        help_text="If nobody opens or closes a risk alert within this many minutes, supervisors are told.",
    )
    on_call_email = models.EmailField(
        blank=True, help_text="Told last, after the administrators, when an alert is still not acknowledged."
    )
    quiet_hours_start = models.TimeField(
        default=dt.time(21, 0), help_text="No message goes to a client from this time (organisation's time zone)."
    )
    quiet_hours_end = models.TimeField(default=dt.time(8, 0), help_text="...until this time.")
    link_lead_days = models.PositiveSmallIntegerField(
        default=3,
        validators=[MaxValueValidator(30)],
        help_text="A scheduled self-report link is sent this many days before the planned session.",
    )
    link_valid_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        default=2, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    reminder_count = models.PositiveSmallIntegerField(
        default=1, validators=[MaxValueValidator(REMINDER_COUNT_MAX)], help_text="0 to 2 reminders."
    )
    sms_enabled = models.BooleanField(default=False, help_text="Send SMS to clients who chose it.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "notification settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(alert_escalation_minutes__gte=MINUTES_MIN)
                & models.Q(alert_escalation_minutes__lte=MINUTES_MAX),
                name="notifications_settings_escalation_range",
            ),
            models.CheckConstraint(
                condition=models.Q(reminder_count__lte=REMINDER_COUNT_MAX), name="notifications_settings_reminders"
            ),
        ]

    def __str__(self) -> str:
        return f"notification settings of organisation {self.organisation_id}"
