"""Sessions of the course, numbered within it, each with the protocol's checklists (ipt-protocol.md §3.6)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iptriad.core.limits import NOTE_MAX
from iptriad.courses.models.course import Course, PhaseChoice
from iptriad.encryption.fields import EncryptedTextField


class Attendance(models.TextChoices):
    ATTENDED = "attended", "Attended"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "Did not attend"


class HomeworkReview(models.TextChoices):
    DONE = "done", "Done"
    PARTLY = "partly", "Partly done"
    NOT_DONE = "not_done", "Not done"
    NONE_SET = "none_set", "None was set"


class RiskCheck(models.TextChoices):
    NO_CONCERN = "no_concern", "Asked: no current risk"
    CONCERN = "concern", "Concern: risk alert opened"
    NOT_ASKED = "not_asked", "Not asked this session"


class CourseSession(models.Model):
    """One session: attendance, the opener, strategies and techniques, homework, risk check and a note."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    # The session as measures knows it: measures given and alerts raised in this session point at it.
    occasion = models.OneToOneField("measures.Occasion", on_delete=models.PROTECT, related_name="course_session")
    held_on = models.DateField()
    phase = models.CharField(max_length=20, choices=PhaseChoice.choices)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.ATTENDED)
    mood_since_last = EncryptedTextField(
        max_length=NOTE_MAX, blank=True, help_text="The opener: how things have been since last time."
    )
    events_linked = EncryptedTextField(
        max_length=NOTE_MAX, blank=True, help_text="Mood linked to interpersonal events, both ways."
    )
    strategies = models.JSONField(default=list, blank=True)  # strategy ids of the chosen problem areas
    techniques = models.JSONField(default=list, blank=True)  # technique ids of iptriad.core.protocol
    homework_review = models.CharField(max_length=20, choices=HomeworkReview.choices, blank=True)
    homework_review_note = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    homework_set = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    risk_check = models.CharField(max_length=20, choices=RiskCheck.choices, blank=True)
    note = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("number",)
        constraints = [
            models.UniqueConstraint(fields=("course", "number"), name="session_number_once_per_course"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="session_number_from_1"),
        ]
        indexes = [models.Index(fields=("organisation", "course", "held_on"), name="session_course_date")]

    def __str__(self) -> str:
        return f"session {self.number} of course {self.course_id}"
