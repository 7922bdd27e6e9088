"""Competency records of the people who deliver IPT (therapists, group facilitators, supervisors): their training,
their certifications, and the organisation's refresher interval from which "refresher due" is worked out.

Workforce data about staff, never about clients: plain columns (nothing here is encrypted or exported with a client's
record). The person's fidelity ratings are read from iptriad.fidelity, below this app, not copied here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

TITLE_MAX = 200
NOTE_MAX = 2_000  # a line or two of context, not a document: evidence is kept where the organisation files it

# How long after a person's last course, workshop or refresher a refresher falls due, by default. A design choice,
# not a clinical fact: it follows the IPT Institute's advice of advanced training every 3 years (ipt-protocol.md
# §8.2 [S9]); each organisation sets its own (CompetencySettings).
REFRESHER_MONTHS_DEFAULT = 36
REFRESHER_MONTHS_MIN = 1
REFRESHER_MONTHS_MAX = 120


class TrainingKind(models.TextChoices):
    COURSE = "course", "Course or workshop"
    CONSULTATION = "consultation", "Consultation or supervision hours"
    REFRESHER = "refresher", "Refresher"
    OTHER = "other", "Other"


# The kinds of training that restart the refresher clock (iptriad.competency.selectors).
REFRESHING_KINDS = (TrainingKind.COURSE, TrainingKind.REFRESHER)


class TrainingRecord(models.Model):
    """One piece of training a person completed: a course, consultation hours, a refresher."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=TrainingKind.choices)
    title = models.CharField(max_length=TITLE_MAX)
    provider = models.CharField(max_length=TITLE_MAX, blank=True)
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    note = models.TextField(max_length=NOTE_MAX, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-completed_on", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=[kind.value for kind in TrainingKind]), name="training_kind_is_known"
            ),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True) | models.Q(hours__gt=0), name="training_hours_positive"
            ),
        ]
        indexes = [models.Index(fields=("organisation", "person", "completed_on"), name="training_by_person")]

    def __str__(self) -> str:
        return self.title


class Certification(models.Model):
    """A certification a person holds (or held): what, from which body, since when, and until when."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=TITLE_MAX)  # e.g. "IPT Institute certification"
    body = models.CharField(max_length=TITLE_MAX)  # who certified: the IPT Institute, a national programme
    certified_on = models.DateField()
    # When it lapses, or when the certifying body asks for a refresher; empty when it has no end.
    valid_until = models.DateField(null=True, blank=True)
    evidence = models.TextField(max_length=NOTE_MAX, blank=True)  # where the certificate is filed, its number
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-certified_on", "-pk")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__isnull=True) | models.Q(valid_until__gt=models.F("certified_on")),
                name="certification_valid_after_certified",
            ),
        ]
        indexes = [models.Index(fields=("organisation", "person", "certified_on"), name="certification_by_person")]

    def __str__(self) -> str:
        return self.what


class CompetencySettings(models.Model):
    """An organisation's competency settings: how many months after training a refresher falls due."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    refresher_months = models.PositiveSmallIntegerField(default=REFRESHER_MONTHS_DEFAULT)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "competency settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(refresher_months__gte=REFRESHER_MONTHS_MIN)
                & models.Q(refresher_months__lte=REFRESHER_MONTHS_MAX),
                name="competency_refresher_months_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"refresher every {self.refresher_months} months"
