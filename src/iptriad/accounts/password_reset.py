"""A forgotten password, reset through a link mailed to the account's address (issue 16, item 9).

- Asking: the page hands the typed address to the task queue and answers at once, the same words whatever the
  address. The lookup, the throttle, the audit event and the mail all happen in the worker, so the page does the
  same work, in the same time, for an address with an account and for one without.
- The link: Django's PasswordResetTokenGenerator, signed with the secret key over the account's password hash,
  last login, address and active flag, and valid for PASSWORD_RESET_TIMEOUT. Setting the password (or logging in)
  changes what it was signed over, so it works once. It rides in the query string, never in the path.
- At most one link per account per PASSWORD_RESET_MAIL_INTERVAL: asking again meanwhile sends nothing (and writes
  nothing to the trail, so asking a thousand times cannot flood it).
- Setting the new password ends every session of the account and revokes its API tokens, clears its login
  lockout counters (following the link proves what a correct password would) and leaves the authenticator app in
  place: the person then logs in with the new password and their code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from axes.utils import reset as axes_reset  # type: ignore[import-untyped]
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_decode, urlsafe_base64_encode

from iptriad.accounts.credentials import AccessEnded, access_ended
from iptriad.accounts.mail import account_mail_send
from iptriad.accounts.models import User
from iptriad.accounts.services import audit_auth_event, sessions_end_for_user
from iptriad.audit.models import AuditAction
from iptriad.tasks import huey
from iptriad.web.pages import id_from_text

logger = logging.getLogger(__name__)

ERROR_RESET_LINK = (
    "This link cannot be used: it has been used already, has expired, or a newer one replaced it. Ask for a new one."
)
# Long enough for any link this module makes (an id and Django's token are well under 100 characters).
MAX_TOKEN_LENGTH = 200
# Ids are 64-bit: 18 digits always fit, so a longer number is no account, refused before the database.


class ResetTokens(PasswordResetTokenGenerator):
    """Django's generator with a salt of our own, also signed over the active flag: deactivation spends it."""

    key_salt = "iptriad.accounts.password_reset.ResetTokens"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"


reset_tokens = ResetTokens()


def reset_link_token(user: User) -> str:
    """The secret the link carries: the account's id and a token signed over its current password."""
    return f"{urlsafe_base64_encode(force_bytes(user.pk))}.{reset_tokens.make_token(user)}"


def reset_link_minutes() -> int:
    return int(settings.PASSWORD_RESET_TIMEOUT // 60)


def password_reset_user(token: str) -> User | None:
    """The active account this link resets, if the link is still good; None for anything else."""
    if len(token) > MAX_TOKEN_LENGTH or token.count(".") != 1:
        return None
    encoded_id, signed = token.split(".")
    try:
        raw_id = urlsafe_base64_decode(encoded_id).decode("ascii")
    except (ValueError, UnicodeDecodeError):
        return None
    user_id = id_from_text(raw_id)
    if user_id is None:
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not reset_tokens.check_token(user, signed):
        return None
    return user


@transaction.atomic
def password_reset_request(*, email: str, ip_address: str | None, confirm_url: Callable[[str], str]) -> bool:
    """Mail a reset link to the active account with this address, unless one went out in the last few minutes.

    Returns whether a link was mailed. An unknown or inactive address, or a throttled one, does nothing at all:
    nothing is recorded, so the typed address of someone without an account is kept nowhere.
    """
    address = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.select_for_update().filter(email=address, is_active=True).first()
    if user is None:
        return False
    now = timezone.now()
    mailed = user.password_reset_mailed_at
    if mailed is not None and now - mailed < settings.PASSWORD_RESET_MAIL_INTERVAL:
        return False
    user.password_reset_mailed_at = now
    user.save(update_fields=["password_reset_mailed_at"])
    body = RESET_BODY.format(link=confirm_url(reset_link_token(user)), minutes=reset_link_minutes())
    audit_auth_event(user=user, action=AuditAction.PASSWORD_RESET_REQUESTED, ip_address=ip_address)
    account_mail_send(to=user.email, subject=RESET_SUBJECT, body=body)
    return True


def _password_reset_request_task(email: str, ip_address: str | None, confirm_base_url: str) -> None:
    password_reset_request(
        email=email,
        ip_address=ip_address,
        confirm_url=lambda token: f"{confirm_base_url}?{urlencode({'token': token})}",
    )


# Huey is untyped: the wrapper is Any. A database hiccup is tried again; the page has already answered.
password_reset_request_task: Any = huey.task(retries=2, retry_delay=30, name="accounts.password_reset_request")(
    _password_reset_request_task
)


@transaction.atomic
def password_reset_complete(*, token: str, new_password: str, ip_address: str | None) -> tuple[User, int]:
    """Set the new password the link allows; returns the account and how many of its sessions were ended."""
    found = password_reset_user(token)
    # Locked, then checked again: of two submissions of the same link at once, the second finds it spent.
    user = User.objects.select_for_update().filter(pk=found.pk, is_active=True).first() if found else None
    if user is None or not reset_tokens.check_token(user, token.split(".")[1]):
        raise ValidationError(ERROR_RESET_LINK)
    validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    ended = sessions_end_for_user(user)
    # The lockout counters go: following the link proves what a correct password would, and a person who locked
    # themselves out by guessing can log in with the new password at once. A guesser gains nothing: clearing
    # needs the mailbox. The authenticator's own throttle (django-otp) stays.
    cleared = axes_reset(username=user.email)
    audit_auth_event(
        user=user,
        action=AuditAction.PASSWORD_RESET,
        ip_address=ip_address,
        detail={"sessions_ended": ended, "lockout_cleared": bool(cleared)},
    )
    access_ended.send(
        sender=User, user=user, organisation=None, reason=AccessEnded.PASSWORD_RESET, by=user, ip_address=ip_address
    )
    return user, ended


RESET_SUBJECT = "Reset your iptriad password"

RESET_BODY = """Someone (we hope you) asked to reset the password of the iptriad account that uses this address.

To choose a new password, open this link within {minutes} minutes. It works once:

{link}

Your authenticator app stays as it is: after choosing the password, log in with it and your code as usual.
Every device where you are logged in will be logged out.

If you did not ask for this, ignore this e-mail: your password stays as it is.
"""
