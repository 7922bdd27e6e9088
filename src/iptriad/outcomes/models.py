"""Outcomes as stored: one classified row per treatment context, the organisation's reporting settings, and the
programmes that join organisations for their programme lead.

A report never reads measures or sessions: it counts `ContextOutcome` rows in SQL. Each row is the context's facts
(attendance, first and last scores, who and what to break it down by) and their classification by
`iptriad.core.metrics`, refreshed when an input changes, like the not-on-track flags.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iptriad.core.metrics import FINISHED_MIN_SESSIONS_DEFAULT


class ContextOutcome(models.Model):
    """One treatment context (an IPT course, or a client's place in group IPT) as outcome reports count it."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    treatment_context = models.OneToOneField(
        "measures.TreatmentContext", on_delete=models.CASCADE, related_name="outcome"
    )
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)  # "course" or "group"
    # What a report breaks down by, as they stand when the row was refreshed ("" or None: not recorded / not this
    # kind: a course has no facilitator, group or site).
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    group = models.ForeignKey("groups.Group", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey("groups.ProgrammeSite", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    problem_area = models.CharField(max_length=30, blank=True)  # the first chosen (course) or the member's own
    adaptation = models.CharField(max_length=30, blank=True)  # a course's adaptation; "group" for group IPT
    sex = models.CharField(max_length=20, blank=True)
    age_band = models.CharField(max_length=20, blank=True)  # at the start, iptriad.outcomes.bands
    language = models.CharField(max_length=10, blank=True)
    # The facts.
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)  # None while the course or the place is open
    attended_sessions = models.PositiveSmallIntegerField(default=0)
    missed_sessions = models.PositiveSmallIntegerField(default=0)
    phq9_first = models.PositiveSmallIntegerField(null=True, blank=True)
    phq9_last = models.PositiveSmallIntegerField(null=True, blank=True)
    gad7_first = models.PositiveSmallIntegerField(null=True, blank=True)
    gad7_last = models.PositiveSmallIntegerField(null=True, blank=True)
    # The classification (iptriad.core.metrics.Classification), by the version named.
    reached = models.BooleanField(default=False)
    completed = models.BooleanField(default=False)
    finished = models.BooleanField(default=False)
    at_caseness = models.BooleanField(default=False)
    not_at_caseness = models.BooleanField(default=False)
    recovered = models.BooleanField(default=False)
    reliable_improvement = models.BooleanField(default=False)
    reliable_deterioration = models.BooleanField(default=False)
    reliable_recovery = models.BooleanField(default=False)
    paired = models.BooleanField(default=False)
    missing_end_score = models.BooleanField(default=False)
    phq9_end_at_most_4 = models.BooleanField(default=False)
    phq9_end_under_10 = models.BooleanField(default=False)
    metrics_version = models.CharField(max_length=20)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-ended_on", "pk")
        indexes = [models.Index(fields=("organisation", "ended_on"), name="outcome_org_ended")]

    def __str__(self) -> str:
        return f"outcome of context {self.treatment_context_id}"


class OutcomeSettings(models.Model):
    """An organisation's reporting choices where the definitions allow one."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    finished_min_sessions = models.PositiveSmallIntegerField(
        default=FINISHED_MIN_SESSIONS_DEFAULT,
        help_text="Attended sessions after which an ended course or group place counts as finished (NHS: 2).",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finished_min_sessions__gte=1), name="outcome_settings_finished_min_positive"
            )
        ]

    def __str__(self) -> str:
        return f"outcome settings of organisation {self.organisation_id}"


class Programme(models.Model):
    """Organisations that report together (a national or regional programme); not a tenant: its lead sees only
    the aggregates of its organisations, never a record. Made and joined by an operator (`iptriad programme`)."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True)
    organisations = models.ManyToManyField("accounts.Organisation", related_name="programmes", blank=True)
    leads = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="programmes_led", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name
