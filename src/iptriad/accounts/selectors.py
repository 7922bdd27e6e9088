"""Reads about organisations, users and memberships."""

from __future__ import annotations

from django.db.models import QuerySet

from iptriad.accounts.models import CLINICIAN_ROLES, Membership, Organisation, User


def membership_current(*, user: User, organisation_id: int | None) -> Membership | None:
    """The membership to act under: the one chosen in this session if still active, else the first."""
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("organisation", "user")
    if organisation_id is not None:
        chosen = memberships.filter(organisation_id=organisation_id).first()
        if chosen is not None:
            return chosen
    return memberships.order_by("organisation__name", "pk").first()


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
