"""Which programmes a person leads (iptriad.outcomes.access): each with its organisations, read afresh; nothing from
being a lead but those aggregates. An organisation's own readers: tests/outcomes/test_dashboard.py."""

from __future__ import annotations

import pytest

from iptriad.outcomes.access import lead_needs_mfa, programme_led, programme_organisations, programmes_led
from tests.outcomes.programmes import lead_of, programme_of

pytestmark = pytest.mark.django_db


def test_a_lead_sees_each_programme_they_lead_with_its_organisations(personas):
    north = programme_of(personas.org_a, personas.org_b, slug="north", name="North")
    south = programme_of(personas.org_b, slug="south", name="South")
    programme_of(personas.org_a, slug="east", name="East")  # led by someone else
    lead = lead_of(north)
    south.leads.add(lead)
    assert [(programme.name, programme_organisations(programme)) for programme in programmes_led(lead)] == [
        ("North", [personas.org_a, personas.org_b]),
        ("South", [personas.org_b]),
    ]
    assert programme_led(lead, "east") is None
    assert programme_led(lead, "missing") is None
    assert programme_led(lead, "north") == north


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
