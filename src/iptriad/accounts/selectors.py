"""Reads about organisations, users and memberships."""

from __future__ import annotations

from django.db.models import QuerySet

from iptriad.accounts.models import CLINICIAN_ROLES, Membership, Organisation, User


def membership_current(*, user: User, organisation_id: int | None) -> Membership | None:
    """The membership to act under: the one chosen in this session if still active, else the first."""
    return choose_membership(active_memberships(user=user), organisation_id)


def active_memberships(*, user: User) -> list[Membership]:
    """Every active membership of the user, by organisation name: one query serves the current membership and
    the organisation switcher (a person belongs to a handful of organisations at most)."""
    return list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation", "user")
        .order_by("organisation__name", "pk")
    )


def choose_membership(memberships: list[Membership], organisation_id: int | None) -> Membership | None:
    chosen = [m for m in memberships if m.organisation_id == organisation_id] if organisation_id is not None else []
    if chosen:
        return chosen[0]
    return memberships[0] if memberships else None


def memberships_of_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .select_related("organisation")
        .order_by("organisation__name")
    )


def clinicians_of_organisation(*, organisation: Organisation) -> QuerySet[User]:
    """Users who may be assigned as a client's therapist in this organisation."""
    return User.objects.filter(
        is_active=True,
        memberships__organisation=organisation,
        memberships__is_active=True,
        memberships__role__in=CLINICIAN_ROLES,
    ).order_by("full_name", "pk")


def members_of_organisation(*, organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation).select_related("user").order_by("role", "user__full_name")
    )


def user_by_email(*, email: str) -> User | None:
    email = email.strip().lower()
    return User.objects.filter(email=email).first() if email else None
