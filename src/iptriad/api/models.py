"""Personal API tokens: a member's script acting in one organisation, with the member's current role. (The
idempotency keys that let a script or a form retry a creating request safely are iptriad.accounts'.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


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
