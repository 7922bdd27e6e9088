"""Programmes: organisations that report together, and the people who lead them (issue 14, part 5).

Only an operator makes a programme, joins organisations to it and names its leads (`iptriad programme`): no page
does, so an organisation's administrator cannot give anyone reach beyond their organisation. Each change is
recorded in the audit chain of every organisation it concerns, so each organisation's administrators see who was
given its aggregates and when; a change to a programme without organisations goes to the system chain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from iptriad.accounts.models import SLUG_VALIDATOR, Organisation, User
from iptriad.accounts.selectors import user_by_email
from iptriad.accounts.services import account_create
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record, audit_record_auth
from iptriad.outcomes.models import Programme

ERROR_NAME_REQUIRED = "Give the programme a name."
ERROR_NAME_TOO_LONG = "A programme's name has at most 200 characters."
ERROR_SLUG_TAKEN = "A programme already has the slug {slug!r}."
ERROR_NO_PROGRAMME = "No programme has the slug {slug!r}."
ERROR_NO_ORGANISATION = "No organisation has the slug {slug!r}."
ERROR_NO_ACCOUNT = "No account has the e-mail address {email!r}; give --name to create one."
ERROR_ALREADY_IN = "{organisation} is already in {programme}."
ERROR_NOT_IN = "{organisation} is not in {programme}."
ERROR_ALREADY_LEAD = "{email} already leads {programme}."
ERROR_NOT_LEAD = "{email} does not lead {programme}."
ERROR_INACTIVE_ACCOUNT = "The account {email} is deactivated: reactivate it before it can lead a programme."


@dataclass(frozen=True)
class _InOrganisation:
    """Who acts, in the shape the trail records (iptriad.audit.parties.Acting): the operator (no user) or a lead."""

    organisation: Organisation
    user: User | None = None
    ip_address: str | None = None


def programme_audit(
    *,
    programme: Programme,
    action: AuditAction,
    organisations: list[Organisation],
    user: User | None = None,
    ip_address: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """One event in the chain of each organisation concerned (the system chain when there is none)."""
    detail = {"programme": programme.pk, **(detail or {})}
    if not organisations:
        audit_record_auth(action=action, user=user, organisation=None, ip_address=ip_address, detail=detail)
    for organisation in organisations:
        audit_record(
            actor=_InOrganisation(organisation=organisation, user=user, ip_address=ip_address),
            action=action,
            obj=programme,
            detail=detail,
        )


def programme_by_slug(slug: str) -> Programme:
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise ValidationError(ERROR_NO_PROGRAMME.format(slug=slug))
    return programme


def programmes_all() -> QuerySet[Programme]:
    """Every programme with its organisations and leads, for the operator's listing (three queries)."""
    return Programme.objects.prefetch_related("organisations", "leads").order_by("name", "pk")


def _organisation(slug: str) -> Organisation:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise ValidationError(ERROR_NO_ORGANISATION.format(slug=slug))
    return organisation


def _organisations_of(programme: Programme) -> list[Organisation]:
    return list(programme.organisations.order_by("name", "pk"))


@transaction.atomic
def programme_create(*, slug: str, name: str) -> Programme:
    """An operator's action: a programme with no organisation and no lead yet."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": ERROR_NAME_REQUIRED})
    if len(name) > Programme._meta.get_field("name").max_length:  # type: ignore[operator]
        raise ValidationError({"name": ERROR_NAME_TOO_LONG})
    SLUG_VALIDATOR(slug)
    if Programme.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": ERROR_SLUG_TAKEN.format(slug=slug)})
    programme = Programme.objects.create(slug=slug, name=name)
    programme_audit(programme=programme, action=AuditAction.PROGRAMME_CREATED, organisations=[])
    return programme


@transaction.atomic
def programme_organisation_add(*, programme_slug: str, organisation_slug: str) -> tuple[Programme, Organisation]:
    """Join an organisation: from now its aggregates count in the programme's, for the programme's leads."""
    programme = programme_by_slug(programme_slug)
    organisation = _organisation(organisation_slug)
    if programme.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(ERROR_ALREADY_IN.format(organisation=organisation.name, programme=programme.name))
    programme.organisations.add(organisation)
    # The organisation learns who now reads its aggregates: the leads named in its own chain.
    leads = sorted(programme.leads.values_list("pk", flat=True))
    programme_audit(
        programme=programme,
        action=AuditAction.PROGRAMME_ORGANISATION_ADDED,
        organisations=[organisation],
        detail={"organisation": organisation.pk, "leads": leads},
    )
    return programme, organisation


@transaction.atomic
def programme_organisation_remove(*, programme_slug: str, organisation_slug: str) -> tuple[Programme, Organisation]:
    programme = programme_by_slug(programme_slug)
    organisation = _organisation(organisation_slug)
    if not programme.organisations.filter(pk=organisation.pk).exists():
        raise ValidationError(ERROR_NOT_IN.format(organisation=organisation.name, programme=programme.name))
    programme.organisations.remove(organisation)
    programme_audit(
        programme=programme,
        action=AuditAction.PROGRAMME_ORGANISATION_REMOVED,
        organisations=[organisation],
        detail={"organisation": organisation.pk},
    )
    return programme, organisation


@transaction.atomic
def programme_lead_add(
    *, programme_slug: str, email: str, full_name: str = "", password: str | None = None
) -> tuple[Programme, User, bool]:
    """Name a lead; an account that does not exist yet is made with ``full_name`` and ``password`` (it needs no
    membership). Returns the programme, the lead and whether the account is new."""
    programme = programme_by_slug(programme_slug)
    user = user_by_email(email=email)
    created = user is None
    if user is None:
        if not full_name.strip():
            raise ValidationError(ERROR_NO_ACCOUNT.format(email=email.strip()))
        user = account_create(email=email, full_name=full_name, password=password)
    if not user.is_active:
        raise ValidationError(ERROR_INACTIVE_ACCOUNT.format(email=user.email))
    if programme.leads.filter(pk=user.pk).exists():
        raise ValidationError(ERROR_ALREADY_LEAD.format(email=user.email, programme=programme.name))
    programme.leads.add(user)
    programme_audit(
        programme=programme,
        action=AuditAction.PROGRAMME_LEAD_ADDED,
        organisations=_organisations_of(programme),
        detail={"lead": user.pk, "account_created": created},
    )
    return programme, user, created


@transaction.atomic
def programme_lead_remove(*, programme_slug: str, email: str) -> tuple[Programme, User]:
    """The lead stops seeing the programme's page at their next request (access is read on every request)."""
    programme = programme_by_slug(programme_slug)
    user = user_by_email(email=email)
    if user is None or not programme.leads.filter(pk=user.pk).exists():
        raise ValidationError(ERROR_NOT_LEAD.format(email=email.strip().lower(), programme=programme.name))
    programme.leads.remove(user)
    programme_audit(
        programme=programme,
        action=AuditAction.PROGRAMME_LEAD_REMOVED,
        organisations=_organisations_of(programme),
        detail={"lead": user.pk},
    )
    return programme, user
