"""Fidelity: a programme's own forms per session type, ratings of a session (individual or group) by the clinician
who led it and by a supervisor, and the rule by which a supervisor samples whose sessions to rate.

iptriad's own adherence checklists are data in the core (iptriad.core.fidelity), built from the protocol's phase
tasks and problem-area strategies; a rating names the checklist or the form it used, and its version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iptriad.core.limits import NOTE_MAX
from iptriad.encryption.fields import EncryptedTextField

NAME_MAX = 120


class RaterRole(models.TextChoices):
    SELF = "self", "Self-rating"
    SUPERVISOR = "supervisor", "Supervisor's rating"


class FidelityForm(models.Model):
    """A programme's own fidelity form for a session type, beside the checklists iptriad ships."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=NAME_MAX)
    session_type = models.CharField(max_length=40)  # e.g. "individual:middle", "group:initial"
    items = models.JSONField(default=list)  # [{"key", "text"}]
    version = models.PositiveSmallIntegerField(default=1)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("session_type", "name", "pk")
        # Editing a form makes its next version (iptriad.fidelity.services.form_save): one active per session type.
        constraints = [
            models.UniqueConstraint(
                fields=("organisation", "session_type", "version"), name="fidelity_form_version_once"
            ),
            models.UniqueConstraint(
                fields=("organisation", "session_type"),
                condition=models.Q(active=True),
                name="fidelity_form_one_active_per_type",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FidelityRating(models.Model):
    """One rating of one session, by the clinician who led it (self) or by a supervisor."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course_session = models.ForeignKey(
        "courses.CourseSession", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group_session = models.ForeignKey(
        "groups.GroupSession", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Who led the session rated (the therapist, the facilitator): competency records read ratings by this person.
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rater_role = models.CharField(max_length=20, choices=RaterRole.choices)
    checklist = models.CharField(max_length=80)  # a core checklist id with its version, or "form:<id>:<version>"
    form = models.ForeignKey(FidelityForm, null=True, blank=True, on_delete=models.PROTECT, related_name="ratings")
    answers = models.JSONField(default=dict)  # {item key: answer}
    score = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)  # % of applicable items done
    note = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    rated_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-rated_on", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(course_session__isnull=False, group_session__isnull=True)
                | models.Q(course_session__isnull=True, group_session__isnull=False),
                name="fidelity_rating_one_session",
            ),
            models.UniqueConstraint(
                fields=("course_session", "rater_role"),
                condition=models.Q(course_session__isnull=False),
                name="fidelity_course_session_rated_once_per_role",
            ),
            models.UniqueConstraint(
                fields=("group_session", "rater_role"),
                condition=models.Q(group_session__isnull=False),
                name="fidelity_group_session_rated_once_per_role",
            ),
        ]
        indexes = [models.Index(fields=("organisation", "clinician", "rated_on"), name="fidelity_by_clinician")]

    def __str__(self) -> str:
        return f"{self.rater_role} rating {self.pk}"


class SamplingRule(models.Model):
    """How often a supervisor rates a person's sessions: one in every N (the organisation's default when no person)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    one_in = models.PositiveSmallIntegerField(default=4)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("organisation", "clinician"), name="sampling_rule_once_per_person"),
            models.UniqueConstraint(
                fields=("organisation",), condition=models.Q(clinician__isnull=True), name="sampling_rule_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"one in {self.one_in}"
