"""Programmes and leads for the tests of the programme pages and access."""

from __future__ import annotations

from iptriad.accounts.models import Organisation, User
from iptriad.outcomes.models import Programme
from tests.conftest import PASSWORD


def programme_of(*organisations: Organisation, slug: str = "north", name: str = "Northern Programme") -> Programme:
    programme = Programme.objects.create(slug=slug, name=name)
    programme.organisations.add(*organisations)
    return programme


def lead_of(programme: Programme, email: str = "lead@programme.example", name: str = "Lena Lead") -> User:
    """A lead with no membership in any organisation (the usual case)."""
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email=email, password=PASSWORD, full_name=name
    )
    programme.leads.add(user)
    return user
