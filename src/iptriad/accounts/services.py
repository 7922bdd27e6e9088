"""Creating organisations and users, adding members, switching organisation, audited."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from iptriad.accounts.actors import Actor
from iptriad.accounts.credentials import AccessEnded, access_ended
from iptriad.accounts.mail import account_mail_send
from iptriad.accounts.models import SLUG_VALIDATOR, EmailChange, Membership, Organisation, Role, User
from iptriad.accounts.permissions import Action, organisation_policy, require
from iptriad.accounts.tokens import token_hash
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record, audit_record_auth
from iptriad.core.limits import too_long_errors
from iptriad.core.time_zones import is_time_zone_name

ERROR_SLUG_TAKEN = "An organisation with this short name (slug) already exists."
ERROR_UNKNOWN_TIME_ZONE = "Unknown time zone; use an IANA name such as Europe/London."
# The organisation's texts a person writes, bounded by their columns.
TEXT_LIMITS: dict[str, int | None] = {
    "name": Organisation._meta.get_field("name").max_length,
    "crisis_contacts": Organisation._meta.get_field("crisis_contacts").max_length,
}
ERROR_UNKNOWN_ROLE = f"Unknown role; use one of: {', '.join(role.value for role in Role)}."
ERROR_ALREADY_MEMBER = "This user is already a member of the organisation."
ERROR_NAME_REQUIRED = "Give a name."


@transaction.atomic
def organisation_create(
    *, name: str, slug: str = "", time_zone: str = "UTC", mfa_required: bool = True
) -> Organisation:
    """An operator's action (CLI): there is no member yet to act as."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ERROR_NAME_REQUIRED})
    if errors := too_long_errors({"name": name}, TEXT_LIMITS):
        raise ValidationError(errors)
    slug = slug or slugify(name)[:50].strip("-")
    SLUG_VALIDATOR(slug)
    if not is_time_zone_name(time_zone):
        raise ValidationError({"time_zone": ERROR_UNKNOWN_TIME_ZONE})
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": ERROR_SLUG_TAKEN})
    organisation = Organisation.objects.create(name=name, slug=slug, time_zone=time_zone, mfa_required=mfa_required)
    audit_record(actor=Actor.operator(organisation), action=AuditAction.ORGANISATION_CREATED, obj=organisation)
    return organisation


@transaction.atomic
def member_add(
    *,
    actor: Actor,
    email: str,
    full_name: str,
    role: str,
    password: str | None = None,
) -> Membership:
    """Add a person to the actor's organisation, creating their user if they are new to iptriad."""
    if role not in Role.values:
        raise ValidationError({"role": ERROR_UNKNOWN_ROLE})
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = account_create(email=email, full_name=full_name, password=password)
    if Membership.objects.filter(user=user, organisation=actor.organisation).exists():
        raise ValidationError(ERROR_ALREADY_MEMBER)
    membership = Membership.objects.create(user=user, organisation=actor.organisation, role=role)
    audit_record(actor=actor, action=AuditAction.MEMBERSHIP_CREATED, obj=membership, detail={"role": role})
    return membership


def account_create(*, email: str, full_name: str, password: str | None) -> User:
    """A new account, validated as every account is; a membership (or a programme to lead) gives it its reach.

    The caller audits it with what it was made for (a membership, a programme's lead)."""
    if not full_name.strip():
        raise ValidationError({"full_name": ERROR_NAME_REQUIRED})
    user = User(email=User.objects.normalize_email(email).lower(), full_name=full_name.strip())
    if password is not None:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user


def organisation_switch(*, user: User, organisation_id: int, ip_address: str | None) -> Membership | None:
    """The membership to switch to, or None when the user is not an active member there."""
    membership = (
        Membership.objects.filter(user=user, organisation_id=organisation_id, is_active=True)
        .select_related("organisation")
        .first()
    )
    if membership is not None:
        audit_record_auth(
            action=AuditAction.ORGANISATION_SWITCHED,
            user=user,
            organisation=membership.organisation,
            ip_address=ip_address,
        )
    return membership


ERROR_CRISIS_CONTACTS_REQUIRED = (
    "Give the crisis contacts a client should use; they are shown after a self-harm answer."
)


@transaction.atomic
def organisation_update_settings(
    *, actor: Actor, name: str, time_zone: str, crisis_contacts: str, mfa_required: bool | None = None
) -> Organisation:
    require(organisation_policy, actor, Action.UPDATE)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = ERROR_NAME_REQUIRED
    if not is_time_zone_name(time_zone):
        errors["time_zone"] = ERROR_UNKNOWN_TIME_ZONE
    if not crisis_contacts.strip():
        errors["crisis_contacts"] = ERROR_CRISIS_CONTACTS_REQUIRED
    errors |= too_long_errors({"name": name.strip(), "crisis_contacts": crisis_contacts.strip()}, TEXT_LIMITS)
    if errors:
        raise ValidationError(errors)
    organisation = Organisation.objects.select_for_update().get(pk=actor.organisation.pk)
    values: dict[str, object] = {
        "name": name.strip(),
        "time_zone": time_zone,
        "crisis_contacts": crisis_contacts.strip(),
    }
    if mfa_required is not None:
        values["mfa_required"] = mfa_required
    changed = [field for field, value in values.items() if getattr(organisation, field) != value]
    for field in changed:
        setattr(organisation, field, values[field])
    if changed:
        organisation.save(update_fields=changed)
        audit_record(actor=actor, action=AuditAction.ORGANISATION_UPDATED, obj=organisation, detail={"fields": changed})
    return organisation


# --- The user's own sign-in: audit, password, e-mail, deactivation ----------------------------------------


def audit_auth_event(
    *,
    user: User,
    action: AuditAction,
    ip_address: str | None,
    organisation: Organisation | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """An authentication event, seen by the admins of every organisation the user belongs to (or the one given)."""
    organisations: list[Organisation | None]
    if organisation is not None:
        organisations = [organisation]
    else:
        organisations = [
            membership.organisation
            for membership in Membership.objects.filter(user=user, is_active=True).select_related("organisation")
        ] or [None]
    for each in organisations:
        audit_record_auth(action=action, user=user, organisation=each, ip_address=ip_address, detail=detail)


ERROR_EMAIL_UNCHANGED = "This is already your e-mail address."


@transaction.atomic
def password_change(*, user: User, new_password: str, ip_address: str | None) -> None:
    """Set a new, validated password. Other sessions end: their stored password hash no longer matches."""
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit_auth_event(user=user, action=AuditAction.PASSWORD_CHANGED, ip_address=ip_address)
    # A password someone else may have known also stops every API token made while they could sign in.
    access_ended.send(
        sender=User, user=user, organisation=None, reason=AccessEnded.PASSWORD_CHANGED, by=user, ip_address=ip_address
    )


@transaction.atomic
def password_set_by_operator(*, email: str, new_password: str) -> tuple[User, int]:
    """The operator sets a new password (a forgotten one, a suspected leak): every session and API token of the
    account ends, and the authenticator app stays. Returns the user and the sessions ended."""
    user = User.objects.select_for_update().filter(email=email.strip().lower()).first()
    if user is None:
        raise ValidationError({"email": "No account has this e-mail address."})
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ended = sessions_end_for_user(user)
    audit_auth_event(
        user=user,
        action=AuditAction.PASSWORD_CHANGED,
        ip_address=None,
        detail={"sessions_ended": ended, "by": "operator"},
    )
    access_ended.send(
        sender=User, user=user, organisation=None, reason=AccessEnded.PASSWORD_CHANGED, by=None, ip_address=None
    )
    return user, ended


# A confirmation link works this long: long enough to open the mail, short enough to be stale if it leaks.
EMAIL_CHANGE_LINK_MINUTES = 30
ERROR_EMAIL_LINK = "This link is not valid: it was used already, has expired, or a newer one was sent. Ask again."
ERROR_EMAIL_NOW_TAKEN = "This address cannot be used for your account. Nothing was changed."


@transaction.atomic
def email_change_request(
    *, user: User, new_email: str, ip_address: str | None, confirm_url: Callable[[str], str]
) -> None:
    """Send a confirmation link to the new address; nothing changes until it is followed.

    The answer is the same whether or not the address has an account (issue 16, item 8): when it has, that
    address is told someone asked and nothing changes. A new request replaces an earlier one.
    `confirm_url` turns the token into the absolute link the e-mail carries.
    """
    email = User.objects.normalize_email(new_email.strip()).lower()
    if email == user.email:
        raise ValidationError({"email": ERROR_EMAIL_UNCHANGED})
    EmailChange.objects.filter(user=user, used_at__isnull=True).delete()
    if User.objects.filter(email=email).exists():
        subject, body = "Someone asked to use this address on iptriad", EMAIL_TAKEN_BODY
    else:
        token = secrets.token_urlsafe(32)
        now = timezone.now()
        EmailChange.objects.create(
            user=user,
            new_email=email,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=EMAIL_CHANGE_LINK_MINUTES),
        )
        subject = "Confirm your new e-mail address for iptriad"
        body = EMAIL_CONFIRM_BODY.format(link=confirm_url(token), minutes=EMAIL_CHANGE_LINK_MINUTES)
    # Neither the address nor whether it was taken: the trail is read by administrators.
    audit_auth_event(user=user, action=AuditAction.EMAIL_CHANGE_REQUESTED, ip_address=ip_address)
    transaction.on_commit(lambda: account_mail_send(to=email, subject=subject, body=body))


def email_change_pending(*, user: User, token: str) -> EmailChange | None:
    """The user's request this link confirms, if it is still usable."""
    return EmailChange.objects.filter(
        user=user, token_hash=token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


@transaction.atomic
def email_change_confirm(*, user: User, token: str, ip_address: str | None) -> User:
    """Follow a confirmation link: the address changes, the link is spent, and the old address is told."""
    change = (
        EmailChange.objects.select_for_update()
        .filter(user=user, token_hash=token_hash(token), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if change is None:
        raise ValidationError(ERROR_EMAIL_LINK)
    if User.objects.filter(email=change.new_email).exclude(pk=user.pk).exists():
        raise ValidationError(ERROR_EMAIL_NOW_TAKEN)  # taken by another account since the link was sent
    change.used_at = timezone.now()
    change.save(update_fields=["used_at"])
    old_email = user.email
    user.email = change.new_email
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["email"])
    # Only that the address changed: the addresses themselves are personal data and stay out of the trail.
    audit_auth_event(user=user, action=AuditAction.EMAIL_CHANGED, ip_address=ip_address)
    transaction.on_commit(
        lambda: account_mail_send(to=old_email, subject="Your iptriad e-mail address was changed", body=EMAIL_OLD_BODY)
    )
    return user


EMAIL_CONFIRM_BODY = """Someone (we hope you) asked to use this address to log in to iptriad.

To confirm, open this link within {minutes} minutes, logged in to iptriad as yourself:

{link}

Until you confirm, your current address stays. If you did not ask for this, ignore this e-mail.
"""

EMAIL_TAKEN_BODY = """Someone asked to use this address to log in to iptriad, but it already belongs to an account.

Nothing was changed. If this was you and you meant to move your address, ask your operator to combine the
accounts. If it was not you, you need do nothing.
"""

EMAIL_OLD_BODY = """The e-mail address you log in to iptriad with was changed; this address is no longer used.

If you did not make this change, tell your organisation's administrator at once.
"""


@transaction.atomic
def mobile_phone_change(*, user: User, mobile_phone: str, ip_address: str | None) -> User:
    """The member's own mobile number for risk-alert text messages; blank removes it."""
    number = "".join(mobile_phone.split())  # "+44 7700 900123" is kept as "+447700900123"
    user.mobile_phone = number
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["mobile_phone"])
    # Only that it changed (or was removed): the number is personal data and stays out of the trail.
    audit_auth_event(
        user=user, action=AuditAction.MOBILE_CHANGED, ip_address=ip_address, detail={"removed": not number}
    )
    return user


@transaction.atomic
def user_deactivate(*, email: str, ip_address: str | None = None) -> tuple[User, int]:
    """Stop an account from logging in and end its sessions now; returns the user and the sessions ended.

    The authentication backend refuses inactive users on every request as well, so a session this misses
    (one written at the same moment) still cannot be used.
    """
    user = User.objects.select_for_update().filter(email=email.strip().lower()).first()
    if user is None:
        raise ValidationError({"email": "No account has this e-mail address."})
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = sessions_end_for_user(user)
    audit_auth_event(
        user=user,
        action=AuditAction.USER_DEACTIVATED,
        ip_address=ip_address,
        detail={"sessions_ended": ended, "by": "operator"},
    )
    access_ended.send(
        sender=User, user=user, organisation=None, reason=AccessEnded.USER_DEACTIVATED, by=None, ip_address=ip_address
    )
    return user, ended


@transaction.atomic
def sessions_end_for_user_by_operator(user: User) -> int:
    ended = sessions_end_for_user(user)
    audit_auth_event(
        user=user,
        action=AuditAction.SESSIONS_ENDED,
        ip_address=None,
        detail={"sessions_ended": ended, "by": "operator"},
    )
    return ended


@transaction.atomic
def sessions_end_for_everyone() -> int:
    """Every stored session, deleted: everyone logs in again (with their code where MFA is required)."""
    ended, _ = Session.objects.all().delete()
    audit_record_auth(
        action=AuditAction.SESSIONS_ENDED,
        user=None,
        organisation=None,
        ip_address=None,
        detail={"sessions_ended": ended, "by": "operator", "scope": "everyone"},
    )
    return ended


def sessions_end_for_user(user: User, keep_session_key: str | None = None) -> int:
    """Delete the user's stored sessions (database sessions: decoded one by one, unexpired ones only)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.session_key == keep_session_key:
            continue
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            session.delete()
            ended += 1
    return ended
