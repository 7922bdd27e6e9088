# mypy: disable-error-code="import-untyped"
# (django-stubs follows the foreign keys of django-otp's device models to User; django-otp ships no types.)
"""Organisations (the tenants), users, and the memberships that give a user a role in an organisation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from iptriad.core.limits import CRISIS_CONTACTS_MAX
from iptriad.encryption.fields import EncryptedTextField

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager

SLUG_VALIDATOR = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$",
    "Use 1 to 50 lower-case letters, digits and hyphens, not starting or ending with a hyphen.",
)

# A mobile number a text message can reach: + and the country code, then digits (spaces allowed, stripped when
# saved), 8 to 15 digits in all as E.164 allows.
MOBILE_VALIDATOR = RegexValidator(
    r"^\+[1-9][0-9]{7,14}$",
    "Enter a mobile number starting with + and the country code, e.g. +44 7700 900123.",
)


class Organisation(models.Model):
    """A clinic, service or programme: every client record belongs to exactly one."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True, validators=[SLUG_VALIDATOR])
    time_zone = models.CharField(max_length=64, default="UTC")
    # Shown to a client right after they answer a self-harm item positively; set by the organisation.
    crisis_contacts = models.TextField(
        max_length=CRISIS_CONTACTS_MAX,
        default=(
            "If you are in danger now or might act on thoughts of harming yourself, call your local emergency "
            "number or go to the nearest emergency department. You can also contact your therapist."
        ),
    )
    # Secure by default: staff who see client records sign in with a second factor (docs/decisions/0016).
    mfa_required = models.BooleanField(
        default=True,
        help_text="Administrators, supervisors and therapists must sign in with an authenticator app code.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """What a member may do in an organisation; the permission policies decide per resource."""

    ADMIN = "admin", "Administrator"
    SUPERVISOR = "supervisor", "Supervisor"
    THERAPIST = "therapist", "Therapist"
    FACILITATOR = "facilitator", "Group facilitator"


# Roles whose members may be a client's assigned therapist.
CLINICIAN_ROLES = (Role.THERAPIST, Role.SUPERVISOR)

# Roles that must use MFA where the organisation requires it; facilitators may enrol voluntarily.
MFA_REQUIRED_ROLES = (Role.ADMIN, Role.SUPERVISOR, Role.THERAPIST)


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person who logs in: staff of one or more organisations. Clients do not log in."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    # Optional: where a risk alert's text message goes, in an organisation that sends them (notifications).
    mobile_phone = models.CharField(max_length=16, blank=True, validators=[MOBILE_VALIDATOR])
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the last password-reset link was mailed: one mail per account per few minutes (the throttle).
    password_reset_mailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    objects: ClassVar[UserManager] = UserManager()

    if TYPE_CHECKING:
        memberships: RelatedManager[Membership]

    class Meta:
        ordering = ("full_name",)

    def __str__(self) -> str:
        return self.full_name or self.email


class Membership(models.Model):
    """A user's role in one organisation; a user may belong to several."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("organisation__name",)
        constraints = [
            models.UniqueConstraint(fields=("user", "organisation"), name="membership_one_per_user_and_organisation"),
            models.CheckConstraint(
                condition=models.Q(role__in=[role.value for role in Role]), name="membership_role_is_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"


class SignedInSession(models.Model):
    """One browser session a person signed in with, so they can see where they are signed in and end it (ASVS 7.5.2).

    Sessions themselves live in Django's session table, where they cannot be found by user without decoding every
    row; this row names the user, follows the session's key when it changes (a new key after the authenticator
    code or re-authentication) and goes when the session ends.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)  # cut to its first 200 characters

    class Meta:
        ordering = ("-last_seen_at",)

    def __str__(self) -> str:
        return f"session of user {self.user_id} since {self.started_at:%Y-%m-%d %H:%M}"


class EmailChange(models.Model):
    """A new e-mail address waiting for its owner to confirm it by the link sent there (issue 16, item 8).

    Only the SHA-256 of the link's token is kept (iptriad.accounts.tokens); the link works once, for a short
    time, for the person who asked, and a newer request replaces it. Until it is used the old address stays.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    new_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="email_change_expires"
            ),
        ]

    def __str__(self) -> str:
        return f"e-mail change of user {self.user_id}"


class IdempotencyKey(models.Model):
    """A request sent with an idempotency key, and the answer it got, so that a retry is answered from here.

    Generic on purpose (any creating request, from the API or a page's form; decision 0026): the key is scoped
    to a member in an organisation, the fingerprint tells the same request from another, and the answer is kept
    byte for byte.
    The row is written in the same transaction as the records the request created: another transaction sees it
    complete (with its answer) or not at all. `status` is null only inside that transaction.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # SHA-256 of the method, the path and the body (its JSON in a canonical form): the same key with another
    # request is refused, never answered with the first request's answer.
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    # The answer holds client data (a created session's notes): encrypted at rest like the records themselves.
    body = EncryptedTextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=("organisation", "user", "key"), name="idempotency_key_once_per_member"),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="idempotency_key_expires"
            ),
        ]
        indexes = [models.Index(fields=("expires_at",), name="idempotency_key_expiry")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'in progress'})"
