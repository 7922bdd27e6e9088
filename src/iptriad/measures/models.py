"""Administrations of instruments, self-report links, and the risk alerts that positive critical items open.

A measure belongs to the client and is given in a treatment context (an IPT course today, a group membership
next). Measures sits below the apps that run treatment: it owns a neutral row for each context and each of its
sessions (`TreatmentContext`, `Occasion`), the context's app holds a one-to-one to them, and measures asks what only
that app knows through `iptriad.measures.contexts`, never by importing it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iptriad.core.limits import NOTE_MAX
from iptriad.encryption.fields import EncryptedTextField


class Mode(models.TextChoices):
    IN_SESSION = "in_session", "Recorded by a clinician"
    SELF_REPORT = "self_report", "Self-report link"


class TreatmentContext(models.Model):
    """Where a client's measures are given: one IPT course, one group membership; its app holds a one-to-one to it."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="treatment_contexts")
    kind = models.CharField(max_length=30)  # the registered kind of iptriad.measures.contexts, e.g. "course"
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} of client {self.client_id}"


class Occasion(models.Model):
    """One session of a treatment context as it concerns its client: measures given and alerts raised there."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    context = models.ForeignKey(TreatmentContext, on_delete=models.CASCADE, related_name="occasions")

    class Meta:
        ordering = ("pk",)

    def __str__(self) -> str:
        return f"occasion {self.pk} of {self.context_id}"


SCORE_BASIS_MAX_LENGTH = 300


class Administration(models.Model):
    """One completed questionnaire: answers item by item, scored on the server against one instrument version."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="administrations")
    # The treatment context and the session it was given in, when it was given within one.
    context = models.ForeignKey(
        TreatmentContext, null=True, blank=True, on_delete=models.PROTECT, related_name="administrations"
    )
    occasion = models.ForeignKey(
        Occasion, null=True, blank=True, on_delete=models.SET_NULL, related_name="administrations"
    )
    instrument_code = models.CharField(max_length=20)
    instrument_version = models.CharField(max_length=20)
    mode = models.CharField(max_length=20, choices=Mode.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(default=timezone.now)
    total = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    band = models.CharField(max_length=100, blank=True)
    valid = models.BooleanField()
    prorated = models.BooleanField(default=False)
    missing_items = models.JSONField(default=list, blank=True)
    critical_items = models.JSONField(default=list, blank=True)
    # Of the critical items, the lifetime ones (PHQ-A item 13) whose alert this treatment context already opened:
    # answered positively again, shown as history, no new alert.
    critical_history = models.JSONField(default=list, blank=True)
    critical_not_answered = models.JSONField(default=list, blank=True)
    subscales = models.JSONField(default=dict, blank=True)
    # What a valid total counts when it is not every scored item (WSAS items 2-5 out of 32, prorating), in words;
    # and why a total is not valid (a risk item is never prorated). Shown with the score on pages, API and FHIR.
    score_basis = models.CharField(max_length=SCORE_BASIS_MAX_LENGTH, blank=True)  # the engine's words, not free text
    invalid_reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ("-completed_at", "-pk")
        indexes = [
            models.Index(
                fields=("organisation", "client", "instrument_code", "completed_at"), name="admin_client_instr"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.completed_at:%Y-%m-%d} total {self.total}"

    @property
    def alerting_items(self) -> list[int]:
        """The critical items that opened a risk alert with this administration (not those shown as history)."""
        return [number for number in self.critical_items if number not in self.critical_history]


class AdministrationAnswer(models.Model):
    """One item's answer: the printed position chosen (None: not answered) and the score it gave.

    A count item (EDE-Q 13-18) keeps the number given in `position`, with no score."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="answers")
    item_number = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField(null=True, blank=True)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ("item_number",)
        constraints = [
            models.UniqueConstraint(fields=("administration", "item_number"), name="answer_one_per_item"),
        ]

    def __str__(self) -> str:
        return f"item {self.item_number}: {self.position}"


class SelfReportLink(models.Model):
    """A single-use, expiring link a client opens without logging in; only the token's hash is stored."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="self_report_links")
    # The treatment context its answer joins when it is still open (else the client's open one).
    context = models.ForeignKey(
        TreatmentContext, null=True, blank=True, on_delete=models.PROTECT, related_name="self_report_links"
    )
    instrument_code = models.CharField(max_length=20)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    administration = models.OneToOneField(
        Administration, null=True, blank=True, on_delete=models.PROTECT, related_name="link"
    )
    # Answers that carried a positive critical answer but could not become a complete administration (some
    # missing, or the link no longer active): kept as given, never scored, so no risk answer is lost.
    held_answers = models.JSONField(default=list, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        # A client's latest links (their measures page): by client, not by the organisation's single-column index,
        # which SQLite's planner (no statistics) otherwise takes and scans every link of the organisation.
        indexes = [models.Index(fields=("organisation", "client", "created_at"), name="link_client_recent")]

    def __str__(self) -> str:
        return f"{self.instrument_code} link for client {self.client_id}"

    @property
    def status(self) -> str:
        if self.used_at is not None:
            return "completed"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "waiting"


class AlertSource(models.TextChoices):
    CRITICAL_ITEM = "critical_item", "Critical item answered positively"
    CLINICIAN_CONCERN = "clinician_concern", "Clinician's concern"


class AlertArrival(models.TextChoices):
    """How a critical answer reached the server, when not as a complete questionnaire on a usable link."""

    COMPLETE = "", "With the complete questionnaire"
    INCOMPLETE_SELF_REPORT = "incomplete_self_report", "Incomplete self-report (not yet completed)"
    INACTIVE_LINK = "inactive_link", "Self-report on a link no longer active"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High or imminent"


class AlertAction(models.TextChoices):
    SAFETY_PLAN = "safety_plan", "Safety plan made or reviewed"
    URGENT_REFERRAL = "urgent_referral", "Urgent referral (crisis or specialist service)"
    OTHER = "other", "Other action"


SUMMARY_MAX_LENGTH = 300  # what a risk alert's summary keeps: a concern's forms and services use the same limit


class RiskAlert(models.Model):
    """Open until a clinician records the assessment and the action taken (ipt-protocol.md section 10.2)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="risk_alerts")
    source = models.CharField(max_length=20, choices=AlertSource.choices)
    administration = models.ForeignKey(
        Administration, null=True, blank=True, on_delete=models.PROTECT, related_name="risk_alerts"
    )
    item_number = models.PositiveSmallIntegerField(null=True, blank=True)
    # The self-report link whose answer opened it and the printed position answered: one alert per answer per link,
    # however often it arrives (an incomplete form, then the completed one; a retry).
    link = models.ForeignKey(
        SelfReportLink, null=True, blank=True, on_delete=models.SET_NULL, related_name="risk_alerts"
    )
    answer_position = models.PositiveSmallIntegerField(null=True, blank=True)
    arrival = models.CharField(max_length=30, choices=AlertArrival.choices, blank=True, default=AlertArrival.COMPLETE)
    # The treatment context it arose in (whose clinicians are responsible for it), and the session whose risk
    # check raised it, so the session shows its alert.
    context = models.ForeignKey(
        TreatmentContext, null=True, blank=True, on_delete=models.PROTECT, related_name="risk_alerts"
    )
    occasion = models.ForeignKey(Occasion, null=True, blank=True, on_delete=models.SET_NULL, related_name="risk_alerts")
    summary = EncryptedTextField(max_length=SUMMARY_MAX_LENGTH)  # a clinician's concern is clinical text
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The first time a member who may act on it opened its page or closed it: until then the alert escalates
    # (iptriad.notifications.alerts); set once, never changed.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risk_level = models.CharField(max_length=10, choices=RiskLevel.choices, blank=True)
    assessment = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    action = models.CharField(max_length=20, choices=AlertAction.choices, blank=True)
    action_detail = EncryptedTextField(max_length=NOTE_MAX, blank=True)

    class Meta:
        ordering = ("-opened_at", "-pk")
        indexes = [
            models.Index(fields=("organisation", "closed_at", "opened_at"), name="alert_org_open"),
            # The open alerts oldest first, as the home pages and the alerts page list them: read in this order and
            # stopped at the page's end, not all sorted (7,500 open alerts at 1,000,000 clients: 345 ms to 9 ms).
            models.Index(
                fields=("organisation", "opened_at", "id"),
                condition=models.Q(closed_at__isnull=True),
                name="alert_open_oldest_first",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True)
                | (~models.Q(risk_level="") & ~models.Q(action="") & ~models.Q(assessment="")),
                name="alert_closed_with_assessment_and_action",
            ),
        ]

    def __str__(self) -> str:
        return f"alert for client {self.client_id}: {self.summary}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Cadence(models.TextChoices):
    EVERY_SESSION = "every_session", "Every session"
    EVERY_N_SESSIONS = "every_n_sessions", "At the start, every N sessions and at the end"
    WEEKLY = "weekly", "Every week"


class MeasureSchedule(models.Model):
    """Which measure is due when in one treatment context; its app sets the defaults, a clinician edits them."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    context = models.ForeignKey(TreatmentContext, on_delete=models.CASCADE, related_name="measure_schedules")
    instrument_code = models.CharField(max_length=20)
    cadence = models.CharField(max_length=20, choices=Cadence.choices)
    every_n = models.PositiveSmallIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ("instrument_code",)
        constraints = [
            models.UniqueConstraint(fields=("context", "instrument_code"), name="schedule_once_per_instrument"),
            models.CheckConstraint(
                condition=~models.Q(cadence="every_n_sessions") | models.Q(every_n__gte=1),
                name="schedule_every_n_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} {self.cadence}"


class SocialRhythmEntry(models.Model):
    """One cell of an SRM-5 weekly diary: when an activity happened on a day (ipt-protocol.md §2.1)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    administration = models.ForeignKey(Administration, on_delete=models.CASCADE, related_name="rhythm_entries")
    day = models.DateField()
    activity = models.PositiveSmallIntegerField()  # the activity's item number in the SRM-5 definition
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)  # after midnight; None: did not happen

    class Meta:
        ordering = ("day", "activity")
        constraints = [
            models.UniqueConstraint(fields=("administration", "day", "activity"), name="rhythm_entry_once"),
            models.CheckConstraint(condition=models.Q(minutes__lt=1440), name="rhythm_minutes_in_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.day} activity {self.activity}: {self.minutes}"
