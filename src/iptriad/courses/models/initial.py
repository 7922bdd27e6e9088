"""The initial phase's records: assessment, interpersonal inventory, timeline and the Interpersonal Triad."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from iptriad.core.limits import NOTE_MAX
from iptriad.courses.models.course import Course
from iptriad.encryption.fields import EncryptedTextField


class RiskScreen(models.TextChoices):
    NO_RISK = "no_risk", "No current risk identified"
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High or imminent"


class Assessment(models.Model):
    """Assessment and diagnosis, the sick role and psychoeducation (ipt-protocol.md §3.1 tasks 1-4)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="assessment")
    presenting_problems = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    diagnosis_code = models.CharField(max_length=20, blank=True, help_text="As in your classification, e.g. ICD-10.")
    diagnosis_label = models.CharField(max_length=200, blank=True)
    episode_history = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    medication = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    suicide_risk_screen = models.CharField(max_length=20, choices=RiskScreen.choices, blank=True)
    suicide_risk_notes = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    sick_role_given_on = models.DateField(null=True, blank=True)
    sick_role_notes = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    # The sick role is temporary (§3.1 item 4): the date it was reviewed with the client and withdrawn as they improve.
    sick_role_reviewed_on = models.DateField(null=True, blank=True)
    psychoeducation_given_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"assessment of course {self.course_id}"

    @property
    def has_diagnosis(self) -> bool:
        return bool(self.diagnosis_code.strip() or self.diagnosis_label.strip())


class Relationship(models.TextChoices):
    PARTNER = "partner", "Partner"
    PARENT = "parent", "Parent"
    CHILD = "child", "Child"
    SIBLING = "sibling", "Sibling"
    FRIEND = "friend", "Friend"
    CO_WORKER = "co_worker", "Co-worker"
    OTHER = "other", "Other"


class InventoryPerson(models.Model):
    """One important person of the interpersonal inventory, with every field of ipt-protocol.md §4.2."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="inventory")
    name = models.CharField(max_length=100, help_text="A name or initials.")
    relationship = models.CharField(max_length=20, choices=Relationship.choices)
    relationship_detail = models.CharField(max_length=100, blank=True)
    ring = models.PositiveSmallIntegerField(default=2, help_text="Closeness ring: 1 is the inner, closest ring.")
    angle = models.FloatField(null=True, blank=True, help_text="Where on the ring, in degrees; set by the drawing.")
    contact = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    satisfying = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    unsatisfying = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    communication = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    knows_about_depression = models.BooleanField(null=True, blank=True)
    feelings = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    expectations = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    support = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    can_ask_for_support = models.BooleanField(null=True, blank=True)
    change_since_onset = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    desired_change = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    linked_problem_area = models.CharField(max_length=30, blank=True)
    focus_candidate = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("ring", "name", "pk")
        constraints = [
            models.CheckConstraint(condition=models.Q(ring__gte=1, ring__lte=5), name="inventory_ring_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.relationship})"


class TimelineKind(models.TextChoices):
    SYMPTOM_ONSET = "symptom_onset", "Symptoms began"
    SYMPTOM_WORSENING = "symptom_worsening", "Symptoms worsened"
    SYMPTOM_IMPROVEMENT = "symptom_improvement", "Symptoms improved"
    LIFE_EVENT = "life_event", "Life event"


class TimelineEvent(models.Model):
    """A dated life event or change in symptoms, to see what happened around onset (§4.4)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="timeline")
    occurred_on = models.DateField()
    kind = models.CharField(max_length=30, choices=TimelineKind.choices)
    description = EncryptedTextField(max_length=NOTE_MAX)
    person = models.ForeignKey(
        InventoryPerson, null=True, blank=True, on_delete=models.SET_NULL, related_name="timeline_events"
    )

    class Meta:
        ordering = ("occurred_on", "pk")

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.kind}"


class Triad(models.Model):
    """The Interpersonal Triad: acute interpersonal crisis, biopsychosocial vulnerabilities, social support."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="triad")
    acute_crisis = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    biological_vulnerabilities = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    psychological_vulnerabilities = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    social_vulnerabilities = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    social_support = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    support_people = models.ManyToManyField(InventoryPerson, blank=True, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"triad of course {self.course_id}"
