"""Whose outcome aggregates a person may see: organisations' counts, never a record.

- A supervisor or an administrator: their current organisation (the organisation's outcomes dashboard).
- A programme lead: for each programme they lead, its organisations together (the programme page).

Leading a programme gives nothing else: no membership, no role, no current organisation, so every record page and
API operation answers a lead as it answers anyone who is not a member there (tests/security/test_programme_leads.py).
The reports these organisations feed are suppressed (counts under 5 as "fewer than 5") for leads always.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Organisation, Role, User
from iptriad.outcomes.models import Programme

# The roles that see their organisation's aggregates (administrators: aggregates only, never a clinical record).
OUTCOME_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True)
class AggregateScope:
    """One set of organisations whose aggregates a person may read together, and why."""

    name: str
    organisations: list[Organisation]
    programme: Programme | None = None  # None: the member's own organisation


def organisation_outcomes_allowed(actor: Actor) -> bool:
    return actor.role in OUTCOME_ROLES


def organisations_of_actor(actor: Actor) -> list[Organisation]:
    """The organisation a member may see the aggregates of: their current one, for the roles that may."""
    return [actor.organisation] if organisation_outcomes_allowed(actor) else []


def programmes_led(user: User) -> QuerySet[Programme]:
    """The programmes the person leads, each with its organisations by name (two queries however many)."""
    if not user.is_authenticated or not user.is_active:
        return Programme.objects.none()
    return Programme.objects.filter(leads=user).prefetch_related(
        Prefetch("organisations", queryset=Organisation.objects.order_by("name", "pk"))
    )


def programme_led(user: User, slug: str) -> Programme | None:
    """The programme with this slug if the person leads it; None for another's programme and a missing one alike."""
    return programmes_led(user).filter(slug=slug).first()


def programme_organisations(programme: Programme) -> list[Organisation]:
    """The programme's organisations by name (from the prefetch of `programmes_led` when there is one)."""
    return sorted(programme.organisations.all(), key=lambda organisation: (organisation.name, organisation.pk))


def leads_a_programme(user: User) -> bool:
    return programmes_led(user).exists()


def lead_needs_mfa(user: User) -> bool:
    """A lead reads aggregates of several organisations, as a supervisor reads one: where any of those organisations
    requires an authenticator code of its supervisors, it requires one of the lead (docs/decisions/0042)."""
    return Organisation.objects.filter(programmes__leads=user, mfa_required=True).exists()


def aggregate_scopes(user: User, actor: Actor | None) -> list[AggregateScope]:
    """Everything whose aggregates the person may read: their organisation (as a member who may), then each
    programme they lead."""
    scopes = []
    if actor is not None and organisation_outcomes_allowed(actor):
        scopes.append(AggregateScope(name=actor.organisation.name, organisations=[actor.organisation]))
    scopes.extend(
        AggregateScope(name=programme.name, organisations=programme_organisations(programme), programme=programme)
        for programme in programmes_led(user)
    )
    return scopes
