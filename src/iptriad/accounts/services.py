"""Creating organisations and users, adding members, switching organisation, audited."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import SLUG_VALIDATOR, Membership, Organisation, Role, User
from iptriad.accounts.permissions import Action, organisation_policy, require
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record, audit_record_auth

ERROR_SLUG_TAKEN = "An organisation with this short name (slug) already exists."
ERROR_UNKNOWN_TIME_ZONE = "Unknown time zone; use an IANA name such as Europe/London."
ERROR_UNKNOWN_ROLE = f"Unknown role; use one of: {', '.join(role.value for role in Role)}."
ERROR_ALREADY_MEMBER = "This user is already a member of the organisation."
ERROR_NAME_REQUIRED = "Give a name."


@transaction.atomic
def organisation_create(*, name: str, slug: str = "", time_zone: str = "UTC") -> Organisation:
    """An operator's action (CLI): there is no member yet to act as."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ERROR_NAME_REQUIRED})
    slug = slug or slugify(name)[:50].strip("-")
    SLUG_VALIDATOR(slug)
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": ERROR_UNKNOWN_TIME_ZONE})
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": ERROR_SLUG_TAKEN})
    organisation = Organisation.objects.create(name=name, slug=slug, time_zone=time_zone)
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
        if not full_name.strip():
            raise ValidationError({"full_name": ERROR_NAME_REQUIRED})
        user = User(email=email, full_name=full_name.strip())
        if password is not None:
            validate_password(password, user)
        user.set_password(password)
        user.full_clean()
        user.save()
    if Membership.objects.filter(user=user, organisation=actor.organisation).exists():
        raise ValidationError(ERROR_ALREADY_MEMBER)
    membership = Membership.objects.create(user=user, organisation=actor.organisation, role=role)
    audit_record(actor=actor, action=AuditAction.MEMBERSHIP_CREATED, obj=membership, detail={"role": role})
    return membership


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
def organisation_update_settings(*, actor: Actor, name: str, time_zone: str, crisis_contacts: str) -> Organisation:
    require(organisation_policy, actor, Action.UPDATE)
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = ERROR_NAME_REQUIRED
    if time_zone not in zoneinfo.available_timezones():
        errors["time_zone"] = ERROR_UNKNOWN_TIME_ZONE
    if not crisis_contacts.strip():
        errors["crisis_contacts"] = ERROR_CRISIS_CONTACTS_REQUIRED
    if errors:
        raise ValidationError(errors)
    organisation = Organisation.objects.select_for_update().get(pk=actor.organisation.pk)
    values = {"name": name.strip(), "time_zone": time_zone, "crisis_contacts": crisis_contacts.strip()}
    changed = [field for field, value in values.items() if getattr(organisation, field) != value]
    for field in changed:
        setattr(organisation, field, values[field])
    if changed:
        organisation.save(update_fields=changed)
        audit_record(actor=actor, action=AuditAction.ORGANISATION_UPDATED, obj=organisation, detail={"fields": changed})
    return organisation
