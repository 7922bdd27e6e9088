"""The supervision log: a meeting (one-to-one, a group consultation, a facilitators' meeting), who attended, the cases
reviewed with the risk decisions taken, and the actions agreed, each with an owner, a due date and its follow-up.

A case is a treatment context of iptriad.measures (an IPT course, or a client's episode in a group), so a course and
a group member are reviewed the same way and their last review feeds the "no supervisory review" flag.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iptriad.core.limits import NOTE_MAX
from iptriad.encryption.fields import EncryptedTextField


class SupervisionFormat(models.TextChoices):
    INDIVIDUAL = "individual", "One-to-one supervision"
    GROUP = "group", "Group consultation"
    FACILITATORS = "facilitators", "Facilitators' supervision meeting"


class SupervisionEntry(models.Model):
    """One supervision meeting as logged by the supervisor who led it."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField()
    format = models.CharField(max_length=20, choices=SupervisionFormat.choices, default=SupervisionFormat.INDIVIDUAL)
    led_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_led")
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="supervision_attended")
    note = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-held_on", "-pk")
        indexes = [models.Index(fields=("organisation", "held_on"), name="supervision_entry_by_date")]

    def __str__(self) -> str:
        return f"supervision on {self.held_on}"


class ReviewedCase(models.Model):
    """A case discussed at a meeting: what was said, the risk decision, and the flags it carried then."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(SupervisionEntry, on_delete=models.CASCADE, related_name="cases")
    treatment_context = models.ForeignKey("measures.TreatmentContext", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    # Whose case it is: the course's therapist or the group's facilitator, when reviewed.
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    discussion = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    risk_decision = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    flags_reviewed = models.JSONField(default=list, blank=True)  # flag codes (iptriad.core.flags) shown at review

    class Meta:
        ordering = ("entry", "pk")
        constraints = [
            models.UniqueConstraint(fields=("entry", "treatment_context"), name="reviewed_case_once_per_entry")
        ]
        indexes = [models.Index(fields=("organisation", "treatment_context"), name="reviewed_case_by_context")]

    def __str__(self) -> str:
        return f"case {self.treatment_context_id} at {self.entry_id}"


class SupervisionAction(models.Model):
    """An action agreed at a meeting, with who owns it, when it is due, and how it was followed up."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(SupervisionEntry, on_delete=models.CASCADE, related_name="actions")
    case = models.ForeignKey(ReviewedCase, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    text = EncryptedTextField(max_length=NOTE_MAX)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision_actions")
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    follow_up = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("due_on", "pk")
        indexes = [models.Index(fields=("organisation", "owner", "done_on"), name="supervision_action_open")]

    def __str__(self) -> str:
        return f"action due {self.due_on}"
