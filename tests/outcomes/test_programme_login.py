"""A programme lead's way in: a lead with no membership lands on their programmes and reaches nothing else but their
own account; a lead who is also a member finds a "Programmes" link; MFA as for a supervisor of those organisations."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from iptriad.accounts.models import Organisation
from iptriad.audit.models import AuditAction, AuditEvent
from tests.accounts.helpers import fresh_code, password_only
from tests.conftest import PASSWORD, logged_in, totp_device
from tests.outcomes.programmes import lead_of, programme_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_mfa(personas):
    Organisation.objects.update(mfa_required=False)


def test_a_lead_with_no_membership_lands_on_their_programmes_after_login(personas, no_mfa):
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    http = HttpClient()
    response = http.post(reverse("login"), {"username": lead.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("programme-list")
    content = response.content.decode()
    assert "<h1>Your programmes</h1>" in content
    assert "Northern Programme" in content
    # The header: the programmes, the account and logging out; nothing of an organisation's.
    assert f'href="{reverse("programme-list")}"' in content
    assert f'href="{reverse("account")}"' in content
    assert "Programme lead" in content
    assert reverse("client-list") not in content
    [login] = AuditEvent.objects.filter(action=AuditAction.LOGIN, actor=lead)
    assert login.organisation_id is None  # no organisation to act in: the system's chain


def test_a_lead_with_no_membership_reaches_their_account_and_no_organisations_page(personas, no_mfa):
    lead = lead_of(programme_of(personas.org_a))
    http = logged_in(lead, verified=False)
    for name in ("account", "account-password", "account-sessions", "mfa-enrol"):
        assert http.get(reverse(name)).status_code in (200, 302), name  # 302: re-authenticate first
    for name in ("client-list", "caseload", "alert-list", "groups_list", "supervision-dashboard", "audit-list"):
        response = http.get(reverse(name))
        assert response.status_code == 403, name
        assert "You are not a member of any organisation" in response.content.decode()


def test_a_lead_who_is_a_member_elsewhere_finds_a_programmes_link(personas, no_mfa):
    programme_of(personas.org_b).leads.add(personas.facilitator_a)
    http = logged_in(personas.facilitator_a)
    home = http.get(reverse("home"))
    assert home.status_code == 200  # their organisation's home, as before
    assert f'href="{reverse("programme-list")}"' in home.content.decode()
    assert http.get(reverse("programme-outcomes", args=["north"])).status_code == 200
    # A member who leads nothing has no such link.
    assert reverse("programme-list") not in logged_in(personas.supervisor_a).get(reverse("home")).content.decode()


def test_a_lead_must_set_up_an_authenticator_where_a_programmes_organisation_requires_one(personas):
    Organisation.objects.filter(pk=personas.org_a.pk).update(mfa_required=False)  # org_b still requires it
    lead = lead_of(programme_of(personas.org_a, personas.org_b))
    http = password_only(lead)
    for url in (reverse("programme-list"), reverse("programme-outcomes", args=["north"])):
        response = http.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("mfa-enrol"))
    assert http.get(reverse("account")).status_code == 200  # their own account stays open, to enrol from


def test_a_lead_with_an_authenticator_passes_its_step_first(personas):
    lead = lead_of(programme_of(personas.org_a))
    totp_device(lead)
    http = password_only(lead)
    response = http.get(reverse("programme-outcomes", args=["north"]))
    assert response["Location"].startswith(reverse("mfa-verify"))
    verified = http.post(
        reverse("mfa-verify") + "?next=" + reverse("programme-list"), {"code": fresh_code(lead)}, follow=True
    )
    assert verified.redirect_chain[-1][0] == reverse("programme-list")
    assert http.get(reverse("programme-outcomes", args=["north"])).status_code == 200


def test_a_lead_of_organisations_that_do_not_require_mfa_signs_in_with_the_password(personas, no_mfa):
    lead = lead_of(programme_of(personas.org_a))
    assert password_only(lead).get(reverse("programme-outcomes", args=["north"])).status_code == 200


def test_a_member_who_leads_must_use_mfa_for_the_programme_even_where_their_role_need_not(personas):
    # Facilitators need no authenticator in their organisation; the programme's figures need one.
    programme_of(personas.org_b).leads.add(personas.facilitator_a)
    http = password_only(personas.facilitator_a)
    assert http.get(reverse("home")).status_code == 200
    response = http.get(reverse("programme-outcomes", args=["north"]))
    assert response["Location"].startswith(reverse("mfa-enrol"))


def test_a_removed_lead_loses_the_programme_at_the_next_request(personas, no_mfa):
    programme = programme_of(personas.org_a)
    lead = lead_of(programme)
    http = logged_in(lead)
    assert http.get(reverse("programme-outcomes", args=["north"])).status_code == 200
    programme.leads.remove(lead)
    assert http.get(reverse("programme-outcomes", args=["north"])).status_code == 404
    assert http.get(reverse("programme-list")).status_code == 403
    assert http.get(reverse("home")).status_code == 403  # no membership, no programme: the page that says so
