"""An administrator's request to export a client's whole record, and the clinician's decision on it (decision 0032).

The file is made only once a second person with a clinical role has approved the request, and the requester may
download it once, within `DOWNLOAD_WINDOW` of the approval. The reason is a choice and a case reference, like an
erasure's, because it is copied into the audit trail, which never holds a name or a story.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

DOWNLOAD_WINDOW = dt.timedelta(hours=24)


class ExportFormat(models.TextChoices):
    JSON = "json", "Everything (JSON)"
    FHIR = "fhir", "The measures (FHIR R4)"


class ExportReason(models.TextChoices):
    """Why a client's record leaves the service: a choice, not free text (it goes into the audit trail)."""

    CLIENT_REQUEST = "client_request", "The client asked for a copy of their data"
    TRANSFER = "transfer", "The client's care moves to another service"
    LAWFUL_REQUEST = "lawful_request", "A court, regulator or other lawful request"
    OTHER = "other", "Another lawful reason, given in the case reference"


class ExportDecision(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class ExportRequest(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    # Erasing the client removes its export requests with it; the audit events about them stay.
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    export_format = models.CharField(max_length=10, choices=ExportFormat.choices)
    reason = models.CharField(max_length=20, choices=ExportReason.choices)
    reference = models.CharField(max_length=40, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=10, choices=ExportDecision.choices, default=ExportDecision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-requested_at", "-pk")
        indexes = [models.Index(fields=("organisation", "decision"), name="export_request_org_decision")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision=ExportDecision.PENDING, decided_at__isnull=True)
                | (~models.Q(decision=ExportDecision.PENDING) & models.Q(decided_at__isnull=False)),
                name="export_request_decided_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk} of client {self.client_id} ({self.decision})"

    @property
    def download_until(self) -> dt.datetime | None:
        if self.decision != ExportDecision.APPROVED or self.decided_at is None:
            return None
        return self.decided_at + DOWNLOAD_WINDOW

    @property
    def downloadable(self) -> bool:
        until = self.download_until
        return until is not None and self.downloaded_at is None and timezone.now() < until
