"""Which programmes a person leads, and so whose outcome aggregates they may read beyond their own organisation.

An organisation's supervisors and administrators read its own dashboard (iptriad.outcomes.permissions). A programme
lead reads, for each programme they lead, its organisations' aggregates together (iptriad.outcomes.programme_views).
Leading a programme gives nothing else: no membership, no role, no current organisation, so every record page and
API operation answers a lead as it answers anyone who is not a member there (tests/security/test_programme_leads.py).
The reports these organisations feed are suppressed (counts under 5 as "fewer than 5") for leads always.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from iptriad.accounts.models import Organisation, User
from iptriad.outcomes.models import Programme


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
