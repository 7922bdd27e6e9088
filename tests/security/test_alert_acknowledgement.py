"""Who acknowledges a risk alert by opening its page: role x own / other organisation (the permission matrix's
rows for the acknowledgement, which is no URL of its own but a consequence of the alert page and of closing).

Only a member who may act on the alert (close it) acknowledges it; a member who may not see it gets 404 and
changes nothing, in either organisation.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from iptriad.accounts.models import Role
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.measures.models import RiskAlert
from iptriad.measures.services import administration_record
from tests.api.conftest import api_as
from tests.conftest import logged_in
from tests.measures.factories import PHQ9_WITH_RISK

pytestmark = pytest.mark.django_db

# role -> (status of the alert page, whether opening it acknowledges the alert)
OWN = {
    Role.ADMIN: (404, False),
    Role.SUPERVISOR: (200, True),
    Role.THERAPIST: (200, True),
    Role.FACILITATOR: (404, False),
}


def _alerts(personas) -> tuple[RiskAlert, RiskAlert]:
    own = administration_record(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9", answers=PHQ9_WITH_RISK
    ).risk_alerts.get()
    other = administration_record(
        actor=personas.actor(personas.therapist_b, personas.org_b),
        client=personas.client_b,
        code="phq9",
        answers=PHQ9_WITH_RISK,
    ).risk_alerts.get()
    return own, other


@pytest.mark.parametrize("role", tuple(Role))
def test_opening_the_alert_page_acknowledges_it_only_for_a_member_who_may_act(personas, role):
    own, other = _alerts(personas)
    member = personas.member_of_a(role)
    http = logged_in(member)
    status, acknowledges = OWN[role]
    assert http.get(reverse("alert-detail", args=[own.pk])).status_code == status
    assert http.get(reverse("alert-detail", args=[other.pk])).status_code == 404  # another organisation's
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.acknowledged_by_id == member.pk) is acknowledges
    assert (own.acknowledged_at is not None) is acknowledges
    assert other.acknowledged_at is None
    events = AuditEvent.objects.filter(action=AuditAction.ALERT_ACKNOWLEDGED)
    assert [(event.object_id, event.actor_id) for event in events] == (
        [(str(own.pk), member.pk)] if acknowledges else []
    )


def test_a_therapist_who_does_not_treat_the_client_cannot_acknowledge(personas):
    own, _ = _alerts(personas)
    assert logged_in(personas.therapist_a2).get(reverse("alert-detail", args=[own.pk])).status_code == 404
    own.refresh_from_db()
    assert own.acknowledged_at is None


def test_the_first_member_acknowledges_once_and_a_later_visit_changes_nothing(personas):
    own, _ = _alerts(personas)
    logged_in(personas.therapist_a).get(reverse("alert-detail", args=[own.pk]))
    own.refresh_from_db()
    first = own.acknowledged_at
    logged_in(personas.supervisor_a).get(reverse("alert-detail", args=[own.pk]))
    own.refresh_from_db()
    assert (own.acknowledged_by_id, own.acknowledged_at) == (personas.therapist_a.pk, first)
    assert AuditEvent.objects.filter(action=AuditAction.ALERT_ACKNOWLEDGED).count() == 1


def test_closing_through_the_api_acknowledges_an_alert_nobody_opened(personas):
    own, other = _alerts(personas)
    api = api_as(personas.supervisor_a, personas.org_a)
    assert api.get(f"/alerts/{own.pk}").json()["acknowledged_at"] is None  # reading through the API is no page visit
    body = {"assessment": "Passive thoughts, no plan or intent.", "risk_level": "low", "action": "safety_plan"}
    assert api.post(f"/alerts/{other.pk}/close", body).status_code == 404
    response = api.post(f"/alerts/{own.pk}/close", body)
    assert response.status_code == 200
    assert response.json()["acknowledged_by"]["id"] == personas.supervisor_a.pk
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.acknowledged_by_id == personas.supervisor_a.pk
    assert own.acknowledged_at == own.closed_at
    assert other.acknowledged_at is None


def test_a_member_adds_and_removes_a_mobile_number_and_a_bad_one_is_refused(personas):
    from iptriad.accounts.models import User

    http = logged_in(personas.therapist_a)
    url = reverse("account-mobile")
    refused = http.post(url, {"mobile_phone": "07700 900123<script>"})
    assert refused.status_code == 400
    assert "starting with + and the country code" in refused.content.decode()
    assert http.post(url, {"mobile_phone": "+44 7700 900123"}).status_code == 302
    assert User.objects.get(pk=personas.therapist_a.pk).mobile_phone == "+447700900123"
    assert http.post(url, {"mobile_phone": ""}).status_code == 302
    assert User.objects.get(pk=personas.therapist_a.pk).mobile_phone == ""
    events = AuditEvent.objects.filter(action=AuditAction.MOBILE_CHANGED, actor=personas.therapist_a)
    assert sorted(event.detail["removed"] for event in events) == [False, True]
