"""Whose aggregates a person may see (iptriad.outcomes.access): their organisation as a supervisor or administrator,
the organisations of each programme they lead; nothing from being a lead but those aggregates."""

from __future__ import annotations

import pytest

from iptriad.accounts.models import Role
from iptriad.outcomes.access import (
    aggregate_scopes,
    lead_needs_mfa,
    organisations_of_actor,
    programme_led,
    programmes_led,
)
from tests.outcomes.programmes import lead_of, programme_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "sees"), [(Role.ADMIN, True), (Role.SUPERVISOR, True), (Role.THERAPIST, False), (Role.FACILITATOR, False)]
)
def test_a_supervisor_or_administrator_sees_their_current_organisation(personas, role, sees):
    actor = personas.actor(personas.member_of_a(role))
    assert organisations_of_actor(actor) == ([personas.org_a] if sees else [])


def test_a_lead_sees_each_programme_they_lead_with_its_organisations(personas):
    north = programme_of(personas.org_a, personas.org_b, slug="north", name="North")
    south = programme_of(personas.org_b, slug="south", name="South")
    programme_of(personas.org_a, slug="east", name="East")  # led by someone else
    lead = lead_of(north)
    south.leads.add(lead)
    scopes = aggregate_scopes(lead, None)
    assert [(scope.name, scope.organisations) for scope in scopes] == [
        ("North", [personas.org_a, personas.org_b]),
        ("South", [personas.org_b]),
    ]
    assert programme_led(lead, "east") is None
    assert programme_led(lead, "missing") is None
    assert programme_led(lead, "north") == north


def test_a_supervisor_who_also_leads_sees_both(personas):
    programme = programme_of(personas.org_b, slug="north", name="North")
    programme.leads.add(personas.supervisor_a)
    scopes = aggregate_scopes(personas.supervisor_a, personas.actor(personas.supervisor_a))
    assert [(scope.name, scope.organisations, scope.programme) for scope in scopes] == [
        ("Alpha Clinic", [personas.org_a], None),
        ("North", [personas.org_b], programme),
    ]


def test_a_deactivated_lead_leads_nothing(personas):
    lead = lead_of(programme_of(personas.org_a))
    lead.is_active = False
    lead.save()
    assert list(programmes_led(lead)) == []


def test_a_lead_needs_mfa_where_any_of_their_organisations_requires_it(personas):
    programme = programme_of(personas.org_a, personas.org_b)
    lead = lead_of(programme)
    assert lead_needs_mfa(lead)  # organisations require MFA by default
    type(personas.org_a).objects.update(mfa_required=False)
    assert not lead_needs_mfa(lead)
    type(personas.org_a).objects.filter(pk=personas.org_b.pk).update(mfa_required=True)
    assert lead_needs_mfa(lead)
