"""The sampling rule: a supervisor rates one in every N sessions a person leads (the organisation's default, or the
person's own N)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Membership, Role, User
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.fidelity.models import SamplingRule
from iptriad.fidelity.permissions import FidelityAction, fidelity_policy

ONE_IN_MIN = 1  # every session
ONE_IN_MAX = 50
DEFAULT_ONE_IN = 4  # SamplingRule.one_in's default: the organisation's until a supervisor sets one
DENIED = "Only a supervisor may set the sampling rule."
ERROR_ONE_IN = f"Give a whole number of sessions from {ONE_IN_MIN} (every session) to {ONE_IN_MAX}."
ERROR_NOT_CLINICIAN = "Choose a therapist, facilitator or supervisor of the organisation."
RATED_ROLES = (Role.THERAPIST, Role.FACILITATOR, Role.SUPERVISOR)


def rated_people(actor: Actor) -> QuerySet[User]:
    """The organisation's active members whose sessions are rated, by name (a sampling rule names one of them)."""
    return User.objects.filter(
        memberships__organisation_id=actor.organisation.pk,
        memberships__is_active=True,
        memberships__role__in=RATED_ROLES,
    ).order_by("full_name", "pk")


@transaction.atomic
def sampling_rule_set(*, actor: Actor, one_in: int, clinician: User | None = None) -> SamplingRule:
    """Set the organisation's default (no clinician) or one person's rule."""
    if not fidelity_policy.allows(actor, FidelityAction.MANAGE):
        raise PermissionDenied(DENIED)
    if not ONE_IN_MIN <= one_in <= ONE_IN_MAX:
        raise ValidationError({"one_in": [ERROR_ONE_IN]})
    if (
        clinician is not None
        and not Membership.objects.filter(
            user=clinician, organisation_id=actor.organisation.pk, is_active=True, role__in=RATED_ROLES
        ).exists()
    ):
        raise ValidationError({"clinician": [ERROR_NOT_CLINICIAN]})
    rule = (
        SamplingRule.objects.select_for_update()
        .filter(organisation_id=actor.organisation.pk, clinician=clinician)
        .first()
    )
    before = rule.one_in if rule is not None else None
    if rule is None:
        rule = SamplingRule(organisation=actor.organisation, clinician=clinician)
    rule.one_in, rule.updated_by, rule.updated_at = one_in, actor.member(), timezone.now()
    rule.save()
    audit_record(
        actor=actor,
        action=AuditAction.FIDELITY_SAMPLING_SET,
        obj=rule,
        detail={"clinician": clinician.pk if clinician else None, "one_in": one_in, "before": before},
    )
    return rule


@transaction.atomic
def sampling_rule_remove(*, actor: Actor, clinician: User) -> None:
    """A person's own rule goes: the organisation's default applies to them again."""
    if not fidelity_policy.allows(actor, FidelityAction.MANAGE):
        raise PermissionDenied(DENIED)
    rule = SamplingRule.objects.filter(organisation_id=actor.organisation.pk, clinician=clinician).first()
    if rule is None:
        return
    audit_record(
        actor=actor,
        action=AuditAction.FIDELITY_SAMPLING_SET,
        obj=rule,
        detail={"clinician": clinician.pk, "one_in": None, "before": rule.one_in},
    )
    rule.delete()
