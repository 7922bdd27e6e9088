"""Personal API tokens: a member's script acting in one organisation, with the member's current role; and the
idempotency keys that let a script retry a creating request safely."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iptriad.encryption.fields import EncryptedTextField


class ApiToken(models.Model):
    """A bearer token for /api/v1; only its SHA-256 is stored, and its first characters to tell tokens apart."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the script that uses it.")
    token_hash = models.CharField(max_length=64, unique=True)
    # The token's first characters, shown in lists and used to revoke it; unique so that revoking is unambiguous.
    prefix = models.CharField(max_length=8, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("created_at")), name="api_token_expires"),
        ]
        indexes = [models.Index(fields=("organisation", "-created_at"), name="api_token_org_recent")]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"


class IdempotencyKey(models.Model):
    """A request sent with an idempotency key, and the answer it got, so that a retry is answered from here.

    Generic on purpose (any creating request, from the API or a page): the key is scoped to a member in an
    organisation, the fingerprint tells the same request from another, and the answer is kept byte for byte.
    The row is written in the same transaction as the records the request created: another transaction sees it
    complete (with its answer) or not at all. `status` is null only inside that transaction.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the body (its JSON in a canonical form): the same key with another
    # request is refused, never answered with the first request's answer.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    # The answer holds client data (a created session's notes): encrypted at rest like the records themselves.
    body = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("organisation", "user", "key"), name="idempotency_key_once_per_member"),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="idempotency_key_expires"
            ),
        ]
        indexes = [models.Index(fields=("expires_at",), name="idempotency_key_expiry")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'in progress'})"
