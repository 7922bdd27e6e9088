"""Group IPT: programme sites, a programme's own group formats, groups and their planned sessions, members with their
pre-group meeting, attendance with each member's symptom check, referrals, outreach after missed sessions.

A member's measures (the screening questionnaire, every symptom check) are iptriad.measures administrations in the
member's treatment context: one context per client per group episode, kept across a transfer to another group.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from iptriad.core.groups import DROPOUT_REASONS, NOT_JOINING_REASONS, REFERRAL_REASONS, Attendance
from iptriad.core.limits import NOTE_MAX
from iptriad.core.protocol import Phase, ProblemAreaCode
from iptriad.encryption.fields import EncryptedTextField

NAME_MAX = 120
PLACE_MAX = 200
SHORT_NOTE_MAX = 1_000  # a line or two written on a phone: a session's note, a member's goal


class ProgrammeSite(models.Model):
    """Where a programme runs groups (a village, a clinic, a school); groups may belong to one."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=NAME_MAX)
    region = models.CharField(max_length=NAME_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name", "pk")
        constraints = [models.UniqueConstraint(fields=("organisation", "name"), name="site_name_unique_in_org")]

    def __str__(self) -> str:
        return self.name


class GroupTemplate(models.Model):
    """A programme's own group format, beside the formats iptriad ships (iptriad.core.groups.FORMATS)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=NAME_MAX)
    sessions = models.PositiveSmallIntegerField()
    initial_sessions = models.PositiveSmallIntegerField()
    termination_sessions = models.PositiveSmallIntegerField()
    parent_pre_group = models.BooleanField(default=False)
    screening_instrument = models.CharField(max_length=20, default="phq9")
    check_instrument = models.CharField(max_length=20, default="phq9")
    completed_at_least = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name", "pk")
        constraints = [models.UniqueConstraint(fields=("organisation", "name"), name="group_template_name_in_org")]

    def __str__(self) -> str:
        return self.name


class Composition(models.TextChoices):
    WOMEN = "women", "Women"
    MEN = "men", "Men"
    MIXED = "mixed", "Mixed"


class AgeBand(models.TextChoices):
    ADULTS = "adults", "Adults"
    ADOLESCENTS = "adolescents", "Adolescents"


class Setting(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    REMOTE = "remote", "Remote (phone or video)"


class GroupStatus(models.TextChoices):
    FORMING = "forming", "Forming (pre-group meetings)"
    RUNNING = "running", "Running"
    CLOSED = "closed", "Closed"


class GroupQuerySet(models.QuerySet["Group"]):
    def open(self) -> GroupQuerySet:
        return self.exclude(status=GroupStatus.CLOSED)


class Group(models.Model):
    """One IPT group: who runs it and who supervises it, who it is for, and its schedule (copied from its format)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    site = models.ForeignKey(ProgrammeSite, null=True, blank=True, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=NAME_MAX)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="groups_led")
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="groups_co_led"
    )
    # The clinician told at once of any risk in the group, who clears held members and follows referrals up.
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="groups_supervised")
    language = models.CharField(max_length=10, default="en")
    composition = models.CharField(max_length=10, choices=Composition.choices, default=Composition.MIXED)
    age_band = models.CharField(max_length=20, choices=AgeBand.choices, default=AgeBand.ADULTS)
    setting = models.CharField(max_length=20, choices=Setting.choices, default=Setting.IN_PERSON)
    place = models.CharField(max_length=PLACE_MAX, blank=True)
    capacity = models.PositiveSmallIntegerField()
    # The format's numbers, copied when the group is created.
    format_code = models.CharField(max_length=40)  # a shipped format's code, or "template:<id>"
    format_name = models.CharField(max_length=NAME_MAX)
    sessions_planned = models.PositiveSmallIntegerField()
    initial_sessions = models.PositiveSmallIntegerField()
    termination_sessions = models.PositiveSmallIntegerField()
    parent_pre_group = models.BooleanField(default=False)
    screening_instrument = models.CharField(max_length=20)
    check_instrument = models.CharField(max_length=20)
    completed_at_least = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    status = models.CharField(max_length=10, choices=GroupStatus.choices, default=GroupStatus.FORMING)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ("-starts_on", "name", "pk")
        constraints = [
            models.UniqueConstraint(fields=("organisation", "name"), name="group_name_unique_in_org"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="group_capacity_positive"),
            models.CheckConstraint(
                condition=models.Q(completed_at_least__gte=1, completed_at_least__lte=models.F("sessions_planned")),
                name="group_completed_within_sessions",
            ),
        ]
        indexes = [
            models.Index(fields=("organisation", "facilitator", "status"), name="group_facilitator"),
            models.Index(fields=("organisation", "supervisor", "status"), name="group_supervisor"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_open(self) -> bool:
        return self.status != GroupStatus.CLOSED


class PhaseChoice(models.TextChoices):
    INITIAL = Phase.INITIAL.value, "Initial"
    MIDDLE = Phase.MIDDLE.value, "Middle"
    TERMINATION = Phase.TERMINATION.value, "Termination"


class GroupSession(models.Model):
    """One of the group's planned sessions; `held_on` is set when its roster is saved."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    phase = models.CharField(max_length=20, choices=PhaseChoice.choices)
    planned_on = models.DateField()
    held_on = models.DateField(null=True, blank=True)
    note = EncryptedTextField(max_length=SHORT_NOTE_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("group", "number")
        constraints = [models.UniqueConstraint(fields=("group", "number"), name="group_session_number_once")]

    def __str__(self) -> str:
        return f"session {self.number} of group {self.group_id}"

    @property
    def is_held(self) -> bool:
        return self.held_on is not None


class MemberStatus(models.TextChoices):
    SCREENING = "screening", "Awaiting the pre-group meeting"
    JOINED = "joined", "In the group"
    NOT_JOINED = "not_joined", "Did not join"
    DROPPED = "dropped", "Dropped out"
    TRANSFERRED = "transferred", "Moved to another group"
    FINISHED = "finished", "Finished (the group closed)"


ACTIVE_MEMBER_STATUSES = (MemberStatus.SCREENING, MemberStatus.JOINED)

PROBLEM_AREA_CHOICES = [  # the WHO Group IPT lay names (ipt-protocol.md §7.1 [S21b])
    (ProblemAreaCode.GRIEF.value, "Grief"),
    (ProblemAreaCode.ROLE_DISPUTE.value, "Disputes"),
    (ProblemAreaCode.ROLE_TRANSITION.value, "Life changes"),
    (ProblemAreaCode.INTERPERSONAL_DEFICITS.value, "Loneliness and social isolation"),
]
NOT_JOINING_CHOICES = [(reason.code, reason.label) for reason in NOT_JOINING_REASONS]
DROPOUT_CHOICES = [(reason.code, reason.label) for reason in DROPOUT_REASONS]
REFERRAL_CHOICES = [(reason.code, reason.label) for reason in REFERRAL_REASONS]
ATTENDANCE_CHOICES = [
    (Attendance.PRESENT.value, "Present"),
    (Attendance.ABSENT.value, "Absent"),
    (Attendance.EXCUSED.value, "Excused"),
    (Attendance.MAKE_UP.value, "Make-up"),
]


class GroupMemberQuerySet(models.QuerySet["GroupMember"]):
    def active(self) -> GroupMemberQuerySet:
        return self.filter(status__in=ACTIVE_MEMBER_STATUSES)


class GroupMember(models.Model):
    """A client's place in a group, from the pre-group meeting to the group's end (or leaving it)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="members")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="group_memberships")
    # Where the member's measures and alerts belong; a transfer keeps it, so the trajectory continues.
    treatment_context = models.ForeignKey(
        "measures.TreatmentContext", on_delete=models.PROTECT, related_name="group_memberships"
    )
    status = models.CharField(max_length=20, choices=MemberStatus.choices, default=MemberStatus.SCREENING)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The pre-group meeting(s).
    pre_group_on = models.DateField(null=True, blank=True)
    parent_meeting_on = models.DateField(null=True, blank=True)
    screening = models.ForeignKey(
        "measures.Administration", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    problem_area = models.CharField(max_length=30, choices=PROBLEM_AREA_CHOICES, blank=True)
    goal = EncryptedTextField(max_length=SHORT_NOTE_MAX, blank=True)
    pre_group_note = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    suicide_plan = models.BooleanField(null=True, blank=True)  # the risk screen's two questions (ipt-protocol §7.4)
    recent_attempt = models.BooleanField(null=True, blank=True)
    consent_on = models.DateField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    not_joining_reason = models.CharField(max_length=30, choices=NOT_JOINING_CHOICES, blank=True)
    # Held out of the group's sessions from a risk signal until a clinician clears them.
    held_since = models.DateTimeField(null=True, blank=True)
    held_alert = models.ForeignKey(
        "measures.RiskAlert", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cleared_note = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    # Leaving.
    left_on = models.DateField(null=True, blank=True)
    dropout_reason = models.CharField(max_length=30, choices=DROPOUT_CHOICES, blank=True)
    left_note = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    transferred_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="transferred_from"
    )
    # The termination phase: each member's plan for their warning signs.
    warning_signs = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    warning_plan = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    plan_recorded_at = models.DateTimeField(null=True, blank=True)

    objects = GroupMemberQuerySet.as_manager()

    class Meta:
        ordering = ("group", "client__family_name", "client__given_name", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=("group", "client"),
                condition=models.Q(status__in=["screening", "joined"]),
                name="group_member_once_active",
            ),
            models.UniqueConstraint(
                fields=("client",),
                condition=models.Q(status__in=["screening", "joined"]),
                name="group_member_one_active_group",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="not_joined") | ~models.Q(not_joining_reason=""),
                name="group_member_not_joined_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="dropped") | ~models.Q(dropout_reason=""),
                name="group_member_dropped_has_reason",
            ),
        ]
        indexes = [models.Index(fields=("organisation", "group", "status"), name="group_member_status")]

    def __str__(self) -> str:
        return f"client {self.client_id} in group {self.group_id} ({self.status})"

    @property
    def is_held(self) -> bool:
        return self.held_since is not None and self.cleared_at is None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_MEMBER_STATUSES


class SessionAttendance(models.Model):
    """One member's row on one session's roster: attendance, the symptom check, a risk flag and a short note."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(GroupMember, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=10, choices=ATTENDANCE_CHOICES)
    # The member's occasion in measures: the symptom check and any alert of this session hang on it.
    occasion = models.OneToOneField("measures.Occasion", on_delete=models.PROTECT, related_name="group_attendance")
    symptom_check = models.ForeignKey(
        "measures.Administration", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    risk_flag = models.BooleanField(default=False)
    note = EncryptedTextField(max_length=SHORT_NOTE_MAX, blank=True)
    made_up_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("session", "pk")
        constraints = [
            models.UniqueConstraint(fields=("session", "member"), name="attendance_once_per_member"),
            models.CheckConstraint(
                condition=models.Q(status__in=[value.value for value in Attendance]), name="attendance_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} at session {self.session_id}"


class Referral(models.Model):
    """A member referred to a clinician (or other care), with its follow-up."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(GroupMember, on_delete=models.PROTECT, related_name="referrals")
    reason = models.CharField(max_length=30, choices=REFERRAL_CHOICES)
    referred_to = models.CharField(max_length=NAME_MAX, blank=True)
    detail = EncryptedTextField(max_length=NOTE_MAX, blank=True)
    alert = models.ForeignKey("measures.RiskAlert", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    followed_up_at = models.DateTimeField(null=True, blank=True)
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    follow_up = EncryptedTextField(max_length=NOTE_MAX, blank=True)

    class Meta:
        ordering = ("-made_at", "-pk")
        indexes = [models.Index(fields=("organisation", "followed_up_at"), name="referral_open")]

    def __str__(self) -> str:
        return f"referral of member {self.member_id} ({self.reason})"


class OutreachOutcome(models.TextChoices):
    RETURNING = "returning", "Reached: coming back"
    NOT_RETURNING = "not_returning", "Reached: not coming back"
    NOT_REACHED = "not_reached", "Could not reach them"


class OutreachTask(models.Model):
    """Contact a member after two sessions missed in a row, before the next one (ipt-protocol.md §7.5 [BK])."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey(GroupMember, on_delete=models.PROTECT, related_name="outreach_tasks")
    session = models.ForeignKey(GroupSession, on_delete=models.CASCADE, related_name="+")  # the second miss
    opened_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(max_length=20, choices=OutreachOutcome.choices, blank=True)
    note = EncryptedTextField(max_length=SHORT_NOTE_MAX, blank=True)

    class Meta:
        ordering = ("opened_at", "pk")
        constraints = [models.UniqueConstraint(fields=("member", "session"), name="outreach_once_per_miss")]

    def __str__(self) -> str:
        return f"outreach to member {self.member_id}"
