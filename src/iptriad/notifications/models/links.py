"""Self-report links sent on schedule: one row per link sent before a planned session, with its reminders.

The link itself is measures' `SelfReportLink` (only its token's hash is kept there). To put the same link in a
reminder, the token is kept here encrypted while the link can still be answered, and wiped when it is answered,
withdrawn or expires (docs/decisions/0031-scheduled-links-keep-an-encrypted-token.md). The opt-out link in every
message works for good: only its token's hash is kept once the link is closed.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from iptriad.accounts.models import Organisation
from iptriad.clients.models import Client
from iptriad.encryption.fields import EncryptedTextField
from iptriad.measures.models import SelfReportLink, TreatmentContext
from iptriad.notifications.models.messages import Channel


class ScheduledLink(models.Model):
    """A self-report link created and sent by the schedule job for one measure due at one planned session."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    context = models.ForeignKey(TreatmentContext, on_delete=models.PROTECT, related_name="+")
    link = models.OneToOneField(SelfReportLink, on_delete=models.PROTECT, related_name="scheduled")
    instrument_code = models.CharField(max_length=20)
    # The session it was sent before: its number as the due rules count it (attended sessions + 1), so moving
    # the session's date does not send the measure twice, and the date and time planned when it was sent.
    session_number = models.PositiveSmallIntegerField()
    session_at = models.DateTimeField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The link's token and the opt-out token, for reminders: wiped ("") once the link is closed (wiped_at).
    link_token = EncryptedTextField(blank=True)
    stop_token = EncryptedTextField(blank=True)
    stop_token_hash = models.CharField(max_length=64, unique=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_sent_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)
    wiped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("context", "instrument_code", "session_number"), name="notifications_scheduled_link_once"
            ),
        ]
        indexes = [models.Index(fields=("organisation", "created_at"), name="notifications_sched_link_org")]

    def __str__(self) -> str:
        return f"scheduled {self.instrument_code} link before session {self.session_number} of {self.context_id}"
