"""The middle phase's focus: problem areas with their evidence and goals, and the formulation and the contract
that frame it, agreed as the initial phase closes (ipt-protocol.md §3.1 items 7-9, §3.2, §5)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from iptriad.core.limits import NOTE_MAX
from iptriad.core.protocol import DisputeStage, ProblemAreaCode
from iptriad.courses.models.course import Course
from iptriad.encryption.fields import EncryptedTextField


class ProblemAreaChoiceField(models.TextChoices):
    GRIEF = ProblemAreaCode.GRIEF.value, "Grief"
    ROLE_DISPUTE = ProblemAreaCode.ROLE_DISPUTE.value, "Role dispute"
    ROLE_TRANSITION = ProblemAreaCode.ROLE_TRANSITION.value, "Role transition"
    INTERPERSONAL_DEFICITS = ProblemAreaCode.INTERPERSONAL_DEFICITS.value, "Interpersonal deficits"


class DisputeStageChoice(models.TextChoices):
    RENEGOTIATION = DisputeStage.RENEGOTIATION.value, "Renegotiation"
    IMPASSE = DisputeStage.IMPASSE.value, "Impasse"
    DISSOLUTION = DisputeStage.DISSOLUTION.value, "Dissolution"


class ProblemAreaChoice(models.Model):
    """A chosen problem area with the evidence for it; at most two are active (enforced by the service)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="problem_areas")
    area = models.CharField(max_length=30, choices=ProblemAreaChoiceField.choices)
    evidence = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    dispute_stage = models.CharField(max_length=20, choices=DisputeStageChoice.choices, blank=True)
    chosen_on = models.DateField(default=timezone.localdate)
    active = models.BooleanField(default=True)
    ended_on = models.DateField(null=True, blank=True)
    end_note = EncryptedTextField(
        max_length=NOTE_MAX, blank=True, help_text="Why the focus changed (a renegotiated focus)."
    )

    class Meta:
        ordering = ("chosen_on", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("course", "area"), condition=models.Q(active=True), name="problem_area_once_active"
            ),
        ]

    def __str__(self) -> str:
        return self.get_area_display()


class GoalStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class Goal(models.Model):
    """A goal of the contract, for one chosen problem area."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="goals")
    problem_area = models.ForeignKey(ProblemAreaChoice, on_delete=models.CASCADE, related_name="goals")
    text = EncryptedTextField(max_length=NOTE_MAX)
    status = models.CharField(max_length=20, choices=GoalStatus.choices, default=GoalStatus.NOT_STARTED)
    status_note = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return self.text[:60]


class Formulation(models.Model):
    """The interpersonal formulation: drafted from the structured records, edited, shared and agreed."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="formulation")
    text = EncryptedTextField(max_length=NOTE_MAX)
    shared_on = models.DateField(null=True, blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"formulation of course {self.course_id}"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    TWICE_WEEKLY = "twice_weekly", "Twice a week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    MONTHLY = "monthly", "Monthly"


class TreatmentContract(models.Model):
    """The treatment contract (§3.1 task 9, §4.5); any later change is an explicit renegotiation."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="contract")
    sessions_planned = models.PositiveSmallIntegerField()
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.WEEKLY)
    session_minutes = models.PositiveSmallIntegerField(default=50)
    starts_on = models.DateField()
    planned_end_on = models.DateField()
    missed_session_rule = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    other_terms = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    agreed_on = models.DateField(null=True, blank=True)
    renegotiated = models.BooleanField(default=False)
    renegotiation_note = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end_on__gte=models.F("starts_on")), name="contract_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sessions_planned} sessions from {self.starts_on}"
