"""The termination phase: the termination review, the relapse-prevention plan and the maintenance plan that
continuation or maintenance follows (ipt-protocol.md §3.3, §3.4)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from iptriad.core.limits import ANSWER_MAX
from iptriad.courses.models.course import Course
from iptriad.courses.models.middle import Frequency
from iptriad.encryption.fields import EncryptedTextField


class NextStep(models.TextChoices):
    MAINTENANCE = "maintenance", "Maintenance sessions"
    CONTINUATION = "continuation", "A continuation contract"
    REFERRAL = "referral", "Referral to other treatment"
    NONE = "none", "No further sessions"


class TerminationReview(models.Model):
    """Progress review, feelings about ending and the next step."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="termination_review")
    progress_summary = EncryptedTextField(max_length=ANSWER_MAX, blank=True)
    why_better = EncryptedTextField(
        max_length=ANSWER_MAX, blank=True, help_text="Why the client feels better: credit their own efforts."
    )
    skills_gained = EncryptedTextField(max_length=ANSWER_MAX, blank=True)
    feelings_about_ending = EncryptedTextField(max_length=ANSWER_MAX, blank=True)
    next_step = models.CharField(max_length=20, choices=NextStep.choices, blank=True)
    next_step_detail = EncryptedTextField(max_length=ANSWER_MAX, blank=True)
    reviewed_on = models.DateField(default=timezone.localdate)

    def __str__(self) -> str:
        return f"termination review of course {self.course_id}"


class RelapsePreventionPlan(models.Model):
    """The client's plan for keeping well, written in their words and printed for them."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="relapse_prevention_plan")
    warning_signs = EncryptedTextField(max_length=ANSWER_MAX)
    what_helps = EncryptedTextField(max_length=ANSWER_MAX)
    people_to_turn_to = EncryptedTextField(max_length=ANSWER_MAX)
    if_symptoms_return = EncryptedTextField(max_length=ANSWER_MAX)
    emergency_contacts = EncryptedTextField(max_length=ANSWER_MAX)
    agreed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"relapse-prevention plan of course {self.course_id}"


class MaintenancePlan(models.Model):
    """Spaced sessions that keep the gains; the sessions themselves are CourseSession rows."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="maintenance_plan")
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY)
    sessions_planned = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    notes = EncryptedTextField(max_length=ANSWER_MAX, blank=True)

    def __str__(self) -> str:
        return f"maintenance plan of course {self.course_id}"
