"""The outbox: every message to a person is a row first, written with the change that causes it.

A worker sends it later (iptriad.notifications.sending); the row says what happened (queued, sending, sent,
failed, interrupted, cancelled), so the log shows every message and nothing depends on the queue surviving.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iptriad.accounts.models import Organisation
from iptriad.clients.models import Client
from iptriad.encryption.fields import EncryptedTextField
from iptriad.measures.models import RiskAlert, SelfReportLink


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"


class MessageState(models.TextChoices):
    QUEUED = "queued", "Queued"  # waiting to be sent (first try or a retry); next_attempt_at says when
    SENDING = "sending", "Sending"  # claimed by a worker; the transport is being called
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"  # given up after the last retry, or refused (no address, opted out)
    INTERRUPTED = "interrupted", "Interrupted"  # the worker died while sending to a client: not resent
    CANCELLED = "cancelled", "Cancelled"  # no longer wanted before it went


# States a message never leaves.
FINAL_STATES = (MessageState.SENT, MessageState.FAILED, MessageState.INTERRUPTED, MessageState.CANCELLED)


class Message(models.Model):
    """One message to one address. Subject and body hold no clinical content and no client name, and are still
    encrypted at rest (they may hold a link) and wiped once the message has gone or been given up."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # A short code chosen by the sender: alert_opened, alert_escalated, link_sent, link_reminder, test...
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    address = models.CharField(max_length=254, blank=True)
    alert = models.ForeignKey(RiskAlert, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    link = models.ForeignKey(SelfReportLink, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The sender's name for "this message": a second queue call with the same key returns the first message.
    dedupe_key = models.CharField(max_length=200)
    subject = EncryptedTextField(blank=True)
    body = EncryptedTextField(blank=True)
    state = models.CharField(max_length=12, choices=MessageState.choices, default=MessageState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a worker claimed it (state "sending"): the sweep resolves claims older than the claim timeout.
    claimed_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    # Why it failed, was retried or was cancelled: an error's kind or an HTTP status, never content.
    reason = models.CharField(max_length=200, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)  # the gateway's id for the message
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-queued_at", "-pk")
        constraints = [
            models.UniqueConstraint(fields=("organisation", "dedupe_key"), name="notifications_message_dedupe"),
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="notifications_message_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=MessageState.values), name="notifications_message_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=("state", "next_attempt_at"), name="notifications_message_due"),
            models.Index(fields=("organisation", "-queued_at"), name="notifications_message_log"),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} {self.kind} by {self.channel}: {self.state}"

    @property
    def to_a_client(self) -> bool:
        """A client's message is never sent twice: one whose outcome is unknown is not resent."""
        return self.to_client_id is not None
