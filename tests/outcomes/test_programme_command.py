"""`iptriad programme`: an operator makes programmes, joins organisations and names leads; each change audited."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from iptriad.accounts.models import Membership, User
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.outcomes.models import Programme
from tests.outcomes.programmes import programme_of

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("programme", *args, stdout=out)
    return out.getvalue()


def _events(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_it_creates_a_programme_and_audits_it_in_the_system_chain(personas):
    assert "Created programme 'Northern IPT' with slug 'north'" in _run("create", "north", "--name", "Northern IPT")
    programme = Programme.objects.get(slug="north")
    [event] = _events(AuditAction.PROGRAMME_CREATED)
    assert (event.organisation_id, event.actor_id, event.detail) == (None, None, {"programme": programme.pk})


def test_it_refuses_a_taken_or_malformed_slug_and_an_empty_name(personas):
    _run("create", "north", "--name", "Northern IPT")
    with pytest.raises(CommandError, match="already has the slug 'north'"):
        _run("create", "north", "--name", "Another")
    with pytest.raises(CommandError, match="lower-case letters"):
        _run("create", "North Region", "--name", "Another")
    with pytest.raises(CommandError, match="Give the programme a name"):
        _run("create", "south", "--name", "  ")


def test_it_joins_and_removes_organisations_audited_in_each_organisations_chain(personas):
    programme = programme_of(slug="north")
    lead = User.objects.create_user(email="lead@programme.example", password="x", full_name="Lena Lead")
    programme.leads.add(lead)
    assert "Alpha Clinic is now in Northern Programme." in _run("add-organisation", "north", "alpha")
    assert "Beta Service is now in" in _run("add-organisation", "north", "beta")
    assert set(programme.organisations.all()) == {personas.org_a, personas.org_b}
    added = _events(AuditAction.PROGRAMME_ORGANISATION_ADDED)
    assert [event.organisation_id for event in added] == [personas.org_a.pk, personas.org_b.pk]
    # Each organisation's administrators read who now sees its aggregates.
    assert added[0].detail == {"programme": programme.pk, "organisation": personas.org_a.pk, "leads": [lead.pk]}
    assert (added[0].object_type, added[0].object_id) == ("programme", str(programme.pk))

    assert "Beta Service is no longer in Northern Programme." in _run("remove-organisation", "north", "beta")
    assert list(programme.organisations.all()) == [personas.org_a]
    [removed] = _events(AuditAction.PROGRAMME_ORGANISATION_REMOVED)
    assert removed.organisation_id == personas.org_b.pk


def test_it_says_clearly_what_is_unknown_or_already_done(personas):
    programme_of(personas.org_a, slug="north")
    with pytest.raises(CommandError, match="No programme has the slug 'nowhere'"):
        _run("add-organisation", "nowhere", "alpha")
    with pytest.raises(CommandError, match="No organisation has the slug 'gamma'"):
        _run("add-organisation", "north", "gamma")
    with pytest.raises(CommandError, match="Alpha Clinic is already in Northern Programme"):
        _run("add-organisation", "north", "alpha")
    with pytest.raises(CommandError, match="Beta Service is not in Northern Programme"):
        _run("remove-organisation", "north", "beta")
    with pytest.raises(CommandError, match=re.escape("address 'nobody@example.org'; give --name")):
        _run("add-lead", "north", "nobody@example.org")
    with pytest.raises(CommandError, match="does not lead Northern Programme"):
        _run("remove-lead", "north", personas.admin_a.email)
    assert not AuditEvent.objects.filter(action__startswith="programme.").exists()


def test_it_names_an_existing_account_a_lead_audited_for_each_organisation(personas):
    programme = programme_of(personas.org_a, personas.org_b, slug="north")
    out = _run("add-lead", "north", personas.supervisor_a.email.upper())
    assert f"{personas.supervisor_a.email} now leads Northern Programme." in out
    assert list(programme.leads.all()) == [personas.supervisor_a]
    events = _events(AuditAction.PROGRAMME_LEAD_ADDED)
    assert {event.organisation_id for event in events} == {personas.org_a.pk, personas.org_b.pk}
    assert events[0].detail == {"programme": programme.pk, "lead": personas.supervisor_a.pk, "account_created": False}
    with pytest.raises(CommandError, match="already leads Northern Programme"):
        _run("add-lead", "north", personas.supervisor_a.email)

    assert "no longer leads Northern Programme" in _run("remove-lead", "north", personas.supervisor_a.email)
    assert not programme.leads.exists()
    assert len(_events(AuditAction.PROGRAMME_LEAD_REMOVED)) == 2


def test_it_makes_a_new_account_for_a_lead_with_no_membership(personas, monkeypatch):
    programme_of(personas.org_a, slug="north")
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-unguessable-pw-8431\n"))  # the password, as adduser reads it
    out = _run("add-lead", "north", "lena@programme.example", "--name", "Lena Lead")
    assert "lena@programme.example (a new account) now leads Northern Programme." in out
    lead = User.objects.get(email="lena@programme.example")
    assert lead.check_password("a-long-unguessable-pw-8431")
    assert not Membership.objects.filter(user=lead).exists()
    [event] = _events(AuditAction.PROGRAMME_LEAD_ADDED)
    assert event.detail["account_created"] is True


def test_a_new_leads_password_is_checked_like_any_other(personas, monkeypatch):
    programme_of(personas.org_a, slug="north")
    monkeypatch.setattr("sys.stdin", io.StringIO("password\n"))
    with pytest.raises(CommandError, match=r"too short|too common|guess"):
        _run("add-lead", "north", "lena@programme.example", "--name", "Lena Lead")
    assert not User.objects.filter(email="lena@programme.example").exists()


def test_a_deactivated_account_cannot_be_named_a_lead(personas):
    programme_of(personas.org_a, slug="north")
    User.objects.filter(pk=personas.therapist_b.pk).update(is_active=False)
    with pytest.raises(CommandError, match="deactivated"):
        _run("add-lead", "north", personas.therapist_b.email)


def test_it_lists_programmes_with_their_organisations_and_leads(personas):
    assert "No programmes yet" in _run("list")
    programme = programme_of(personas.org_a, personas.org_b, slug="north")
    programme.leads.add(personas.supervisor_a)
    out = _run("list")
    assert "north: Northern Programme" in out
    assert "organisations: Alpha Clinic (alpha), Beta Service (beta)" in out
    assert f"leads: {personas.supervisor_a.email}" in out
