"""The audit trail: who did what to which record, when, and from where."""

from __future__ import annotations

from typing import Final

from django.conf import settings
from django.db import models
from django.utils import timezone

# The organisations events belong to, named like settings.AUTH_USER_MODEL: audit imports nothing of accounts.
ORGANISATION_MODEL: Final = "accounts.Organisation"


class AuditAction(models.TextChoices):
    LOGIN = "auth.login", "Logged in"
    LOGIN_FAILED = "auth.login_failed", "Failed login"
    LOGOUT = "auth.logout", "Logged out"
    ORGANISATION_SWITCHED = "organisation.switched", "Switched organisation"
    ORGANISATION_CREATED = "organisation.created", "Organisation created"
    MEMBERSHIP_CREATED = "membership.created", "Member added"
    MEMBERSHIP_DEACTIVATED = "membership.deactivated", "Member deactivated"
    MEMBERSHIP_REACTIVATED = "membership.reactivated", "Member reactivated"
    MEMBER_MFA_RESET = "membership.mfa_reset", "Member's authenticator app removed"
    MEMBER_SESSIONS_ENDED = "membership.sessions_ended", "Member's sessions ended"
    SESSIONS_ENDED = "auth.sessions_ended", "Sessions ended by the operator"
    OWN_SESSIONS_ENDED = "auth.own_sessions_ended", "Own sessions elsewhere ended"
    CLIENT_CREATED = "client.created", "Client created"
    CLIENT_UPDATED = "client.updated", "Client updated"
    CLIENT_ARCHIVED = "client.archived", "Client archived"
    CLIENT_REACTIVATED = "client.reactivated", "Client reactivated"
    CLIENT_VIEWED = "client.viewed", "Client record viewed"
    CLIENT_LISTED = "client.listed", "Client list viewed"
    AUDIT_BROWSED = "audit.browsed", "Audit trail viewed"
    ORGANISATION_UPDATED = "organisation.updated", "Organisation settings changed"
    MEASURE_RECORDED = "measure.recorded", "Measure recorded"
    MEASURE_VIEWED = "measure.viewed", "Measures viewed"
    LINK_CREATED = "selfreport.link_created", "Self-report link sent"
    LINK_REVOKED = "selfreport.link_revoked", "Self-report link withdrawn"
    LINK_SUBMITTED = "selfreport.submitted", "Self-report completed"
    LINK_ANSWERS_KEPT = "selfreport.answers_kept", "Self-report risk answer kept unscored"
    LINK_REFUSED = "selfreport.refused", "Self-report link refused"
    LINK_SCHEDULED = "selfreport.link_scheduled", "Self-report link sent on schedule"
    CLIENT_MESSAGES_CONSENT = "client.messages_consent", "Consent to messages recorded"
    CLIENT_MESSAGES_OPTED_OUT = "client.messages_opted_out", "Client opted out of messages"
    ALERT_OPENED = "alert.opened", "Risk alert opened"
    ALERT_CLOSED = "alert.closed", "Risk alert closed"
    ALERT_VIEWED = "alert.viewed", "Risk alert viewed"
    ALERT_ACKNOWLEDGED = "alert.acknowledged", "Risk alert acknowledged"
    ALERT_NOTIFIED = "alert.notified", "Risk alert sent to the clinicians responsible"
    ALERT_ESCALATED = "alert.escalated", "Risk alert escalated"
    COURSE_OPENED = "course.opened", "Course opened"
    COURSE_VIEWED = "course.viewed", "Course viewed"
    COURSE_PHASE_CHANGED = "course.phase_changed", "Course phase changed"
    COURSE_CLOSED = "course.closed", "Course closed"
    COURSE_TASK_MARKED = "course.task_marked", "Phase task ticked"
    COURSE_RECORD_SAVED = "course.record_saved", "Course record saved"
    COURSE_RECORD_DELETED = "course.record_deleted", "Course record removed"
    COURSE_SESSION_SAVED = "course.session_saved", "Session recorded"
    COURSE_NEXT_SESSION_SET = "course.next_session_set", "Next session planned"
    SCHEDULE_CHANGED = "measure.schedule_changed", "Measure schedule changed"
    API_TOKEN_CREATED = "api.token_created", "API token created"
    API_TOKEN_REVOKED = "api.token_revoked", "API token revoked"
    ACCESS_DENIED = "access.denied", "Access denied"
    ACCESS_DENIED_REPEATED = "access.denied_repeated", "Access denied again (count for one minute)"
    AUDIT_VERIFIED = "audit.verified", "Audit trail integrity checked"
    ENCRYPTION_KEYS_ROTATED = "encryption.keys_rotated", "Encrypted text moved to the current key"
    LOCKED_OUT = "auth.locked_out", "Locked out after failed logins"
    MFA_ENROLLED = "auth.mfa_enrolled", "Authenticator app set up"
    MFA_VERIFIED = "auth.mfa_verified", "Authenticator code accepted"
    MFA_FAILED = "auth.mfa_failed", "Wrong authenticator code"
    MFA_RECOVERY_USED = "auth.recovery_code_used", "Recovery code used"
    MFA_RECOVERY_REGENERATED = "auth.recovery_codes_regenerated", "Recovery codes replaced"
    MFA_RESET = "auth.mfa_reset", "Authenticator app removed"
    PASSWORD_CHANGED = "auth.password_changed", "Password changed"
    PASSWORD_RESET_REQUESTED = "auth.password_reset_requested", "Password reset asked (link sent)"
    PASSWORD_RESET = "auth.password_reset", "Password reset by e-mail link"
    EMAIL_CHANGE_REQUESTED = "auth.email_change_requested", "E-mail change asked (link sent)"
    EMAIL_CHANGED = "auth.email_changed", "E-mail address changed"
    MOBILE_CHANGED = "auth.mobile_changed", "Mobile number changed"
    USER_DEACTIVATED = "auth.user_deactivated", "Account deactivated"
    REAUTHENTICATED = "auth.reauthenticated", "Identity confirmed again"
    SESSION_EXPIRED = "auth.session_expired", "Session timed out"
    CLIENT_EXPORTED = "client.exported", "Client's data exported"
    EXPORT_REQUESTED = "client.export_requested", "Export of a client's data requested"
    EXPORT_APPROVED = "client.export_approved", "Export of a client's data approved"
    EXPORT_REFUSED = "client.export_refused", "Export of a client's data refused"
    CLIENT_ERASED = "client.erased", "Client's data erased"
    BACKUP_CREATED = "backup.created", "Database backed up"
    BACKUP_RESTORED = "backup.restored", "Database restored from a backup"
    MESSAGE_QUEUED = "message.queued", "Message queued"
    MESSAGE_SENDING = "message.sending", "Message being sent"
    MESSAGE_SENT = "message.sent", "Message sent"
    MESSAGE_RETRY = "message.retry", "Message failed, to be retried"
    MESSAGE_FAILED = "message.failed", "Message failed"
    MESSAGE_INTERRUPTED = "message.interrupted", "Message interrupted, not resent"
    MESSAGE_CANCELLED = "message.cancelled", "Message cancelled"
    MESSAGE_LOG_VIEWED = "message.log_viewed", "Message log viewed"
    NOTIFICATION_SETTINGS_CHANGED = "notification.settings_changed", "Notification settings changed"
    SITE_SAVED = "group.site_saved", "Programme site saved"
    GROUP_TEMPLATE_SAVED = "group.template_saved", "Group format saved"
    GROUP_CREATED = "group.created", "Group created"
    GROUP_UPDATED = "group.updated", "Group changed"
    GROUP_VIEWED = "group.viewed", "Group viewed"
    GROUP_CLOSED = "group.closed", "Group closed"
    GROUP_MEMBER_ADDED = "group.member_added", "Member added to a group"
    GROUP_PRE_GROUP_SAVED = "group.pre_group_saved", "Pre-group meeting recorded"
    GROUP_MEMBER_DECIDED = "group.member_decided", "Decision on joining a group recorded"
    GROUP_SESSION_SAVED = "group.session_saved", "Group session recorded"
    GROUP_MEMBER_HELD = "group.member_held", "Group member held for clinical review"
    GROUP_MEMBER_CLEARED = "group.member_cleared", "Group member cleared to return"
    GROUP_MEMBER_DROPPED = "group.member_dropped", "Group member dropped out"
    GROUP_MEMBER_TRANSFERRED = "group.member_transferred", "Group member moved to another group"
    GROUP_MEMBER_PLAN_SAVED = "group.member_plan_saved", "Group member's warning-signs plan saved"
    GROUP_REFERRAL_MADE = "group.referral_made", "Referral logged"
    GROUP_REFERRAL_FOLLOWED_UP = "group.referral_followed_up", "Referral followed up"
    GROUP_OUTREACH_DONE = "group.outreach_done", "Outreach after missed sessions recorded"
    # The supervision log (iptriad.supervision).
    SUPERVISION_ENTRY_CREATED = "supervision.entry_created", "Supervision meeting logged"
    SUPERVISION_ENTRY_UPDATED = "supervision.entry_updated", "Supervision meeting changed"
    SUPERVISION_ENTRY_VIEWED = "supervision.entry_viewed", "Supervision meeting viewed"
    SUPERVISION_ACTION_DONE = "supervision.action_done", "Supervision action followed up"
    # Fidelity (issue 13): iptriad.fidelity.services and selectors.
    FIDELITY_RATED = "fidelity.rated", "Session fidelity rated"
    FIDELITY_RATING_CHANGED = "fidelity.rating_changed", "Session fidelity rating changed"
    FIDELITY_VIEWED = "fidelity.viewed", "Fidelity ratings viewed"
    FIDELITY_FORM_SAVED = "fidelity.form_saved", "Fidelity form saved"
    FIDELITY_FORM_RETIRED = "fidelity.form_retired", "Fidelity form retired"
    FIDELITY_SAMPLING_SET = "fidelity.sampling_set", "Fidelity sampling rule set"
    # Competency records (iptriad.competency): workforce data, no client's.
    COMPETENCY_LISTED = "competency.listed", "Team's competency records viewed"
    COMPETENCY_VIEWED = "competency.viewed", "Competency record viewed"
    COMPETENCY_TRAINING_SAVED = "competency.training_saved", "Training record saved"
    COMPETENCY_TRAINING_REMOVED = "competency.training_removed", "Training record removed"
    COMPETENCY_CERTIFICATION_SAVED = "competency.certification_saved", "Certification saved"
    COMPETENCY_CERTIFICATION_REMOVED = "competency.certification_removed", "Certification removed"
    COMPETENCY_SETTINGS_CHANGED = "competency.settings_changed", "Refresher interval changed"
    # Outcome reports (iptriad.outcomes): aggregates of an organisation's or a programme's treatment contexts.
    OUTCOMES_VIEWED = "outcomes.viewed", "Outcome report viewed"
    OUTCOMES_DOWNLOADED = "outcomes.downloaded", "Outcome report downloaded"
    # Programmes (iptriad.outcomes.programmes): made and joined by an operator; their leads read aggregates only.
    PROGRAMME_CREATED = "programme.created", "Programme created"
    PROGRAMME_ORGANISATION_ADDED = "programme.organisation_added", "Organisation joined to a programme"
    PROGRAMME_ORGANISATION_REMOVED = "programme.organisation_removed", "Organisation taken out of a programme"
    PROGRAMME_LEAD_ADDED = "programme.lead_added", "Programme lead added"
    PROGRAMME_LEAD_REMOVED = "programme.lead_removed", "Programme lead removed"
    PROGRAMME_OUTCOMES_VIEWED = "programme.outcomes_viewed", "Programme outcomes viewed"
    PROGRAMME_OUTCOMES_EXPORTED = "programme.outcomes_exported", "Programme outcome aggregates downloaded"


class AuditEvent(models.Model):
    """One audited action. Rows are only ever added; `detail` holds ids and field names, never clinical text.

    Events form one hash chain per organisation (and one for events without an organisation): `sequence` is the
    event's position in its chain and `event_hash` covers `previous_hash` and every audited field, so an edit,
    a deletion or a reordering shows up in `iptriad audit verify` (iptriad.audit.chain).
    """

    organisation = models.ForeignKey(
        ORGANISATION_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # No `choices`: new actions arrive with every feature and must not each need a migration.
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=40, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sequence = models.PositiveBigIntegerField()
    previous_hash = models.CharField(max_length=64)
    event_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ("-created_at", "-pk")
        constraints = [
            # Unique positions per chain; NULL organisations need their own index (NULLs never collide).
            models.UniqueConstraint(
                fields=("organisation", "sequence"),
                condition=models.Q(organisation__isnull=False),
                name="audit_chain_position",
            ),
            models.UniqueConstraint(
                fields=("sequence",), condition=models.Q(organisation__isnull=True), name="audit_system_chain_position"
            ),
        ]
        indexes = [
            models.Index(fields=("organisation", "-created_at"), name="audit_org_recent"),
            models.Index(fields=("organisation", "object_type", "object_id"), name="audit_org_object"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"

    def get_action_display(self) -> str:
        labels = dict(AuditAction.choices)
        return str(labels.get(self.action, self.action))


class AuditChainHead(models.Model):
    """The end of one chain: appends lock this row, and the verifier compares it with the chain's last event.

    `chain` is the organisation's id, or 0 for the chain of events without an organisation (failed logins of
    unknown users, denied anonymous requests).
    """

    SYSTEM_CHAIN = 0

    chain = models.PositiveBigIntegerField(primary_key=True)
    # Not a second unique key: PostgreSQL's INSERT ... ON CONFLICT (chain) only waits on its arbiter, `chain`, so
    # concurrent first appends of a chain failed on a unique organisation. The check below keeps it one-to-one.
    organisation = models.ForeignKey(
        ORGANISATION_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=True, chain=0)
                | models.Q(organisation__isnull=False, chain=models.F("organisation")),
                name="audit_chain_head_chain_is_its_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"audit chain {self.chain} at {self.last_sequence}"


class RefusalWindow(models.Model):
    """How many requests one source had refused in one window of time: a counter, not part of any chain.

    A flood of refused requests would otherwise write one chained event each, queueing on the chain's head and
    burying the trail (issue 16). The first refusal of a source in a window is recorded in full; the rest only
    raise `count` here, and once the window has closed one summary event with the count is appended
    (iptriad.audit.refusals). The row is deleted when its summary is written. Decision 0033.
    """

    # "ip:<address>" for an anonymous source, "user:<user id>:<organisation id>" for a signed-in one.
    source = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    organisation = models.ForeignKey(
        ORGANISATION_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("source", "window_start"), name="audit_refusal_window_once"),
        ]
        indexes = [models.Index(fields=("window_start",), name="audit_refusal_window_start")]

    def __str__(self) -> str:
        return f"{self.source} from {self.window_start:%H:%M}: {self.count}"
