"""Creating and revoking personal API tokens: named actions, in a transaction, audited.

A token is `secrets.token_urlsafe(32)` (256 random bits), shown once; only its SHA-256 is kept, as for
self-report links (a fast hash suffices: there is nothing to guess offline).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, User
from iptriad.accounts.tokens import token_hash
from iptriad.api.models import ApiToken
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record

TOKEN_DAYS_DEFAULT = 90
TOKEN_DAYS_MAX = 365
PREFIX_LENGTH = 8
# last_used_at is written at most this often per token, so a busy script does not write on every request.
TOUCH_INTERVAL = dt.timedelta(minutes=1)

ERROR_NAME_REQUIRED = "Name the token after what uses it, e.g. 'outcomes export'."
ERROR_NAME_TOO_LONG = "Use at most 100 characters for the token's name."
ERROR_DAYS = f"A token can be valid for 1 to {TOKEN_DAYS_MAX} days."
ERROR_NOT_A_MEMBER = "This person is not an active member of the organisation."
ERROR_ALREADY_REVOKED = "This token is already revoked."

AUDIT_CREATED = AuditAction.API_TOKEN_CREATED
AUDIT_REVOKED = AuditAction.API_TOKEN_REVOKED


def _audit(*, actor: Actor, action: AuditAction, token: ApiToken) -> None:
    # Ids only, never the token: the audit trail must not hold a usable secret.
    audit_record(actor=actor, action=action, obj=token, detail={"user": token.user_id, "prefix": token.prefix})


def _new_secret() -> str:
    """A fresh token whose prefix no other token has (a clash is rare: 48 random bits). It never begins with "-",
    which `iptriad apitoken revoke PREFIX` would read as an option."""
    while True:
        token = secrets.token_urlsafe(32)
        if token.startswith("-"):
            continue
        if not ApiToken.objects.filter(prefix=token[:PREFIX_LENGTH]).exists():
            return token


@transaction.atomic
def api_token_create(*, actor: Actor, user: User, name: str, days: int = TOKEN_DAYS_DEFAULT) -> tuple[ApiToken, str]:
    """A token for `user` in the actor's organisation; the token is returned once and only its hash is kept."""
    errors: dict[str, str] = {}
    name = name.strip()
    if not name:
        errors["name"] = ERROR_NAME_REQUIRED
    elif len(name) > 100:
        errors["name"] = ERROR_NAME_TOO_LONG
    if not 1 <= days <= TOKEN_DAYS_MAX:
        errors["days"] = ERROR_DAYS
    member = Membership.objects.filter(
        user=user, organisation=actor.organisation, is_active=True, user__is_active=True
    ).exists()
    if not member:
        errors["user"] = ERROR_NOT_A_MEMBER
    if errors:
        raise ValidationError(errors)
    token = _new_secret()
    now = timezone.now()
    api_token = ApiToken.objects.create(
        user=user,
        organisation=actor.organisation,
        name=name,
        token_hash=token_hash(token),
        prefix=token[:PREFIX_LENGTH],
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    _audit(actor=actor, action=AUDIT_CREATED, token=api_token)
    return api_token, token


@transaction.atomic
def api_token_revoke(*, actor: Actor, api_token: ApiToken) -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=api_token.pk, organisation=actor.organisation)
    if locked.revoked_at is not None:
        raise ValidationError(ERROR_ALREADY_REVOKED)
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    _audit(actor=actor, action=AUDIT_REVOKED, token=locked)
    return locked


def api_token_touch(*, api_token: ApiToken) -> None:
    """Record that the token was used (at most once a minute); not audited: the requests themselves are."""
    now = timezone.now()
    ApiToken.objects.filter(pk=api_token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_INTERVAL)
    ).update(last_used_at=now)
