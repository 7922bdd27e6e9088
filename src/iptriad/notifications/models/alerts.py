"""How far each risk alert has been passed on: one row per alert and level, written when that level was told.

Level 0 is the clinicians responsible for the alert, told when it opens; level 1 the organisation's supervisors,
after `NotificationSettings.alert_escalation_minutes` without an acknowledgement; level 2 the administrators and
the on-call address, after the same time again. A level with nobody to tell is written with `told = 0` and the
next level is told at once, so an alert never reaches nobody (docs/decisions/0030-alert-escalation.md).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from iptriad.accounts.models import Organisation
from iptriad.measures.models import RiskAlert


class EscalationLevel(models.IntegerChoices):
    CLINICIANS = 0, "The clinicians responsible"
    SUPERVISORS = 1, "The supervisors"
    ADMINISTRATORS = 2, "The administrators and the on-call address"


class AlertEscalation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    alert = models.ForeignKey(RiskAlert, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(choices=EscalationLevel.choices)
    at = models.DateTimeField(default=timezone.now)  # when this level's messages were queued
    told = models.PositiveSmallIntegerField(default=0)  # how many people (and addresses) were sent a message

    class Meta:
        ordering = ("alert", "level")
        constraints = [
            # Two workers escalating the same alert at once: one row wins, the other finds it and does nothing.
            models.UniqueConstraint(fields=("alert", "level"), name="notifications_escalation_once_per_level"),
            models.CheckConstraint(
                condition=models.Q(level__in=EscalationLevel.values), name="notifications_escalation_level_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"alert {self.alert_id} level {self.level}: {self.told} told"
