"""Administrators manage their organisation's members: deactivate, reactivate, remove a lost authenticator app.

A membership belongs to one organisation, but the account, its sessions and its authenticator app belong to the
person, who may work for another organisation too. So an administrator ends a person's sessions, or removes
their authenticator app, only when this organisation is the only one the person is active in; otherwise the
operator does it (`iptriad deactivateuser`, `iptriad resetmfa`), who answers to every organisation on the server.
Adding members stays with the operator as well (`iptriad adduser`). Every change is audited.
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice  # type: ignore[import-untyped]

from iptriad.accounts.actors import Actor
from iptriad.accounts.credentials import AccessEnded, access_ended
from iptriad.accounts.mfa import devices_remove
from iptriad.accounts.models import Membership, Organisation
from iptriad.accounts.permissions import Action, member_policy
from iptriad.accounts.services import sessions_end_for_user
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record

ERROR_OWN_MEMBERSHIP = "You cannot deactivate your own membership: ask another administrator."
ERROR_ACCOUNT_DEACTIVATED = (
    "This person's account was deactivated by the operator, so it cannot be reactivated here: ask your operator."
)
ERROR_OWN_MFA = "Remove your own authenticator app from your account page."
ERROR_OWN_SESSIONS = "To end your own other sessions, change your password on your account page."
ERROR_SESSIONS_ELSEWHERE = (
    "This person also works in another organisation, so their sessions are not this organisation's to end: "
    "deactivate their membership here, or ask your operator (iptriad endsessions)."
)
ERROR_NO_MFA = "This member has not set up an authenticator app: there is nothing to remove."
ERROR_MFA_MEMBERSHIP_INACTIVE = "This membership is deactivated: reactivate it first."
ERROR_ACTIVE_ELSEWHERE = (
    "This person also works in another organisation, so their authenticator app is not this organisation's to "
    "remove: ask your operator (iptriad resetmfa)."
)


class AssignedClientsCounter(Protocol):
    """How many active clients are assigned to a therapist, as the actor may see them."""

    def __call__(self, *, actor: Actor, therapist_id: int) -> int: ...


# Clients are a layer above accounts, so iptriad.clients registers its count when Django starts (ClientsConfig.ready)
# rather than accounts importing it; without clients installed nobody has clients to hand over.
_assigned_clients_counters: dict[str, AssignedClientsCounter] = {}


def register_assigned_clients_counter(app_label: str, counter: AssignedClientsCounter) -> None:
    """Say how to count a member's active clients, for the message after deactivating them; once per app."""
    _assigned_clients_counters[app_label] = counter


def members_overview(*, organisation: Organisation) -> QuerySet[Membership]:
    """Every member, active first, with whether they have set up an authenticator app and whether they are
    active in another organisation (which decides who may remove it): one query however many members."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .annotate(
            has_mfa=Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True)),
            active_elsewhere=Exists(
                Membership.objects.filter(user=OuterRef("user"), is_active=True).exclude(organisation=organisation)
            ),
        )
        .order_by("-is_active", "role", "user__full_name", "pk")
    )


def member_for_update(*, actor: Actor, membership_id: int) -> Membership:
    """One member of the actor's organisation; Membership.DoesNotExist for anyone else's, and for every member to
    a role that may not change them (a 404 to the page, as for any object out of reach)."""
    queryset = member_policy.scope(actor, Action.UPDATE, Membership.objects.select_related("user"))
    membership: Membership = queryset.get(pk=membership_id)
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Actor, membership: Membership) -> tuple[int, int]:
    """Stop the member from working in this organisation now; returns (sessions ended, active clients still
    assigned to them). Their records and audit trail stay. Sessions end only where no other organisation is
    left to work in: elsewhere each request re-reads the active memberships, so this one is gone at once."""
    membership = _locked(actor, membership)
    if membership.user_id == actor.member().pk:
        # An administrator never removes themself, so an organisation always keeps one active administrator.
        raise ValidationError(ERROR_OWN_MEMBERSHIP)
    ended = 0
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        if not _active_elsewhere(membership):
            ended = sessions_end_for_user(membership.user)
        audit_record(
            actor=actor,
            action=AuditAction.MEMBERSHIP_DEACTIVATED,
            obj=membership,
            detail={"role": membership.role, "sessions_ended": ended},
        )
        # Tokens of this organisation are revoked, not merely refused: a reactivation does not bring them back.
        access_ended.send(
            sender=Membership,
            user=membership.user,
            organisation=membership.organisation,
            reason=AccessEnded.MEMBERSHIP_DEACTIVATED,
            by=actor.user,
            ip_address=actor.ip_address,
        )
    assigned = sum(count(actor=actor, therapist_id=membership.user_id) for count in _assigned_clients_counters.values())
    return ended, assigned


@transaction.atomic
def membership_reactivate(*, actor: Actor, membership: Membership) -> None:
    membership = _locked(actor, membership)
    if not membership.user.is_active:
        raise ValidationError(ERROR_ACCOUNT_DEACTIVATED)
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        audit_record(actor=actor, action=AuditAction.MEMBERSHIP_REACTIVATED, obj=membership, detail={})


@transaction.atomic
def member_mfa_reset(*, actor: Actor, membership: Membership) -> int:
    """Remove a member's authenticator app and recovery codes (a lost phone) and end their sessions, which a
    stolen phone may have opened; returns the sessions ended. They set up a new app at their next login."""
    membership = _locked(actor, membership)
    if membership.user_id == actor.member().pk:
        raise ValidationError(ERROR_OWN_MFA)
    if not membership.is_active:
        raise ValidationError(ERROR_MFA_MEMBERSHIP_INACTIVE)
    if _active_elsewhere(membership):
        raise ValidationError(ERROR_ACTIVE_ELSEWHERE)
    if not TOTPDevice.objects.filter(user_id=membership.user_id).exists():
        raise ValidationError(ERROR_NO_MFA)
    devices_remove(membership.user)
    ended = sessions_end_for_user(membership.user)
    audit_record(actor=actor, action=AuditAction.MEMBER_MFA_RESET, obj=membership, detail={"sessions_ended": ended})
    return ended


@transaction.atomic
def member_sessions_end(*, actor: Actor, membership: Membership) -> int:
    """Log a member out everywhere now (a lost or shared device), without deactivating them; returns how many
    sessions ended. Their next login starts afresh, with the authenticator code where it is required."""
    membership = _locked(actor, membership)
    if membership.user_id == actor.member().pk:
        raise ValidationError(ERROR_OWN_SESSIONS)
    if _active_elsewhere(membership):
        raise ValidationError(ERROR_SESSIONS_ELSEWHERE)
    ended = sessions_end_for_user(membership.user)
    audit_record(
        actor=actor, action=AuditAction.MEMBER_SESSIONS_ENDED, obj=membership, detail={"sessions_ended": ended}
    )
    return ended


def _active_elsewhere(membership: Membership) -> bool:
    """Whether the person has another active membership: then their account is not this organisation's alone."""
    return Membership.objects.filter(user_id=membership.user_id, is_active=True).exclude(pk=membership.pk).exists()


def _locked(actor: Actor, membership: Membership) -> Membership:
    """The membership again, locked for this transaction: two administrators acting at once apply in turn."""
    queryset = member_policy.scope(actor, Action.UPDATE, Membership.objects.select_for_update().select_related("user"))
    locked: Membership = queryset.get(pk=membership.pk)
    return locked
