"""Receivers for what lower apps tell the API.

An erased client's data leaves the kept API answers too (iptriad.datarights erases; it cannot import the API).
A person whose access ends (a password change, a deactivation) loses their API tokens (iptriad.accounts sends).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from iptriad.accounts.credentials import AccessEnded, access_ended
from iptriad.accounts.models import IdempotencyKey, Organisation, User
from iptriad.api.models import ApiToken
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.clients.models import Client


@receiver(post_delete, sender=Client, dispatch_uid="iptriad_api_kept_answers_of_an_erased_client")
def kept_answers_forgotten(sender: type[Client], instance: Client, **kwargs: Any) -> None:
    """A kept answer is not linked to the records it shows, so every kept answer of the client's organisation
    goes, in the erasure's transaction. Erasures are rare; a retry of another request in those seconds is then
    carried out again rather than replayed."""
    IdempotencyKey.objects.filter(organisation_id=instance.organisation_id).delete()


@dataclass(frozen=True)
class _Revoking:
    """Who ended the access, in the token's organisation (iptriad.audit.parties.Acting); user None: the operator."""

    organisation: Organisation
    user: User | None
    ip_address: str | None


@receiver(access_ended, dispatch_uid="iptriad_api_tokens_revoked_when_access_ends")
def tokens_revoked(
    sender: Any,
    user: User,
    organisation: Organisation | None,
    reason: AccessEnded,
    by: User | None,
    ip_address: str | None,
    **kwargs: Any,
) -> None:
    """Revoke the person's tokens (of the organisation, or all), each audited with the reason, in the
    transaction of the change that ended the access."""
    tokens = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    if organisation is not None:
        tokens = tokens.filter(organisation=organisation)
    now = timezone.now()
    for token in tokens.select_related("organisation"):
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=_Revoking(organisation=token.organisation, user=by, ip_address=ip_address),
            action=AuditAction.API_TOKEN_REVOKED,
            obj=token,
            detail={"user": token.user_id, "prefix": token.prefix, "reason": str(reason)},
        )
