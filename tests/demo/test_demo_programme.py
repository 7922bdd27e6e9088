"""The demo's programme: both demo organisations, led by a person who is a member of neither."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from iptriad.accounts.models import Membership, Organisation
from iptriad.audit.models import AuditEvent
from iptriad.demo.data import demo_password
from iptriad.demo.programme import DEMO_LEAD, demo_programme_load
from iptriad.outcomes.models import Programme

pytestmark = pytest.mark.django_db


def test_the_demo_makes_the_programme_of_both_organisations_and_its_lead_who_can_log_in(demo):
    programme = Programme.objects.get(slug="demo-programme")
    assert set(programme.organisations.values_list("slug", flat=True)) == {"demo", "demo-outreach"}
    [lead] = programme.leads.all()
    assert lead.email == DEMO_LEAD[0]
    assert not Membership.objects.filter(user=lead).exists()
    http = HttpClient()
    response = http.post(reverse("login"), {"username": lead.email, "password": demo_password()}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("programme-list")  # the demo organisations need no MFA
    assert http.get(reverse("programme-outcomes", args=["demo-programme"])).status_code == 200


def test_loading_it_again_changes_nothing(personas):
    organisations = [personas.org_a, personas.org_b]
    Organisation.objects.update(mfa_required=False)
    demo_programme_load(organisations, "a-long-demo-password-8431")
    events = AuditEvent.objects.count()
    demo_programme_load(organisations, "a-long-demo-password-8431")
    assert AuditEvent.objects.count() == events
    assert Programme.objects.get(slug="demo-programme").organisations.count() == 2
