"""The course itself: a client's IPT with one therapist, an adaptation and a phase, plus its history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iptriad.core.limits import NOTE_MAX, PHASE_NOTE_MAX
from iptriad.core.protocol import EndReason, Phase
from iptriad.encryption.fields import EncryptedTextField


class PhaseChoice(models.TextChoices):
    INITIAL = Phase.INITIAL.value, "Initial"
    MIDDLE = Phase.MIDDLE.value, "Middle"
    TERMINATION = Phase.TERMINATION.value, "Termination"
    MAINTENANCE = Phase.MAINTENANCE.value, "Continuation and maintenance"
    CLOSED = Phase.CLOSED.value, "Closed"


class EndReasonChoice(models.TextChoices):
    COMPLETED = EndReason.COMPLETED.value, "Completed"
    DROPPED_OUT = EndReason.DROPPED_OUT.value, "Dropped out"
    REFERRED = EndReason.REFERRED.value, "Referred on"
    MOVED = EndReason.MOVED.value, "Moved away"
    OTHER = EndReason.OTHER.value, "Other"


class CourseQuerySet(models.QuerySet["Course"]):
    def open(self) -> CourseQuerySet:
        return self.exclude(phase=Phase.CLOSED)


class Course(models.Model):
    """One course of individual IPT; a client has at most one open course at a time."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="courses")
    therapist = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="courses")
    # Where the course's measures, links, schedules and alerts belong (iptriad.measures knows courses only so).
    treatment_context = models.OneToOneField(
        "measures.TreatmentContext", on_delete=models.PROTECT, related_name="course"
    )
    adaptation = models.CharField(max_length=30)  # an adaptation id of iptriad.core.protocol
    protocol_version = models.CharField(max_length=20)
    phase = models.CharField(max_length=20, choices=PhaseChoice.choices, default=PhaseChoice.INITIAL)
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReasonChoice.choices, blank=True)
    end_note = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    # The next session as planned (date and time), set by the therapist; sessions are recorded once held, so this
    # is the only word on when the next one will be. Scheduled self-report links are sent before it.
    next_session_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ("-opened_on", "-pk")
        constraints = [
            models.UniqueConstraint(
                fields=("client",), condition=~models.Q(phase=Phase.CLOSED), name="course_one_open_per_client"
            ),
            models.CheckConstraint(
                condition=(models.Q(phase=Phase.CLOSED) & models.Q(closed_on__isnull=False) & ~models.Q(end_reason=""))
                | (~models.Q(phase=Phase.CLOSED) & models.Q(closed_on__isnull=True)),
                name="course_closed_has_date_and_reason",
            ),
        ]
        indexes = [models.Index(fields=("organisation", "therapist", "phase"), name="course_caseload")]

    def __str__(self) -> str:
        return f"IPT course of client {self.client_id} ({self.phase})"

    @property
    def is_open(self) -> bool:
        return self.phase != Phase.CLOSED


TASK_ID_MAX_LENGTH = 80


class CourseTask(models.Model):
    """A phase task ticked off the protocol checklist (task ids from iptriad.core.protocol data)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="tasks")
    task_id = models.CharField(max_length=TASK_ID_MAX_LENGTH)
    done_on = models.DateField(default=timezone.localdate)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ("done_on", "pk")
        constraints = [models.UniqueConstraint(fields=("course", "task_id"), name="course_task_once")]

    def __str__(self) -> str:
        return self.task_id


class PhaseChange(models.Model):
    """Each move from one phase to the next, with who made it and why."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=20, choices=PhaseChoice.choices, blank=True)
    to_phase = models.CharField(max_length=20, choices=PhaseChoice.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = EncryptedTextField(max_length=PHASE_NOTE_MAX, blank=True)

    class Meta:
        ordering = ("changed_at", "pk")

    def __str__(self) -> str:
        return f"{self.from_phase or 'opened'} -> {self.to_phase}"
