"""What the client's pages say after a risk answer (who was sent a message, who is told next and when), over HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from iptriad.measures.models import SelfReportLink
from iptriad.measures.services import self_report_link_create, self_report_link_revoke
from iptriad.notifications.alerts import alerts_escalate
from iptriad.notifications.models import NotificationSettings
from tests.conftest import Personas, logged_in, make_client
from tests.measures.factories import PHQ9_NO_RISK, PHQ9_WITH_RISK

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 3, 10, 0, tzinfo=dt.UTC)
TOLD_THERAPIST = "Your therapist has been sent a message about your answer at Alpha Clinic."
THEN_SUPERVISORS = "If nobody has looked at it within 4 hours, the service&#x27;s supervisors are told."


def form(answers: Sequence[int | None]) -> dict[str, str]:
    return {f"item_{number}": str(position) for number, position in enumerate(answers, start=1) if position is not None}


def new_link(personas: Personas, client=None) -> tuple[SelfReportLink, str]:
    link, token = self_report_link_create(
        actor=personas.actor(personas.supervisor_a), client=client or personas.client_a, code="phq9"
    )
    return link, reverse("self-report", args=[token])


def test_the_thank_you_page_says_who_was_told_and_who_is_told_next(personas):
    _, url = new_link(personas)
    html = HttpClient().post(url, form(PHQ9_WITH_RISK)).content.decode()
    assert TOLD_THERAPIST in html
    assert THEN_SUPERVISORS in html
    assert html.index(THEN_SUPERVISORS) < html.index("If you need help now:")  # then the crisis contacts
    assert "will see this" not in html


def test_the_organisations_own_delay_is_said(personas):
    NotificationSettings.objects.update_or_create(
        organisation=personas.org_a, defaults={"alert_escalation_minutes": 90}
    )
    _, url = new_link(personas)
    html = HttpClient().post(url, form(PHQ9_WITH_RISK)).content.decode()
    assert "If nobody has looked at it within 1 hour 30 minutes, the service&#x27;s supervisors are told." in html


def test_without_a_therapist_the_page_says_the_supervisors_were_told(personas):
    client = make_client(personas.org_a, "A-0051", None)
    _, url = new_link(personas, client)
    html = HttpClient().post(url, form(PHQ9_WITH_RISK)).content.decode()
    assert "The service&#x27;s supervisors have been sent a message about your answer at Alpha Clinic." in html
    assert "within 4 hours, the service&#x27;s administrators are told." in html


def test_no_risk_answer_no_notice(personas):
    _, url = new_link(personas)
    html = HttpClient().post(url, form(PHQ9_NO_RISK)).content.decode()
    assert "sent a message" not in html
    assert "If you need help now" not in html


def test_the_incomplete_and_no_longer_active_pages_say_it_too(personas):
    _, url = new_link(personas)
    incomplete = HttpClient().post(url, form([1, 1, None, 1, 1, 1, 1, 2, 1]))
    assert incomplete.status_code == 400
    assert TOLD_THERAPIST in incomplete.content.decode()
    link, url = new_link(personas)
    self_report_link_revoke(actor=personas.actor(personas.supervisor_a), link=link)
    inactive = HttpClient().post(url, form(PHQ9_WITH_RISK))
    assert inactive.status_code == 410
    assert TOLD_THERAPIST in inactive.content.decode()
    assert THEN_SUPERVISORS in inactive.content.decode()


def test_coming_back_later_the_client_reads_what_is_true_then(personas):
    with time_machine.travel(T0, tick=False):
        link, url = new_link(personas)
        HttpClient().post(url, form(PHQ9_WITH_RISK))
    with time_machine.travel(T0 + dt.timedelta(hours=4), tick=False):
        alerts_escalate()
        html = HttpClient().get(url).content.decode()
    assert (
        "Your therapist and the service&#x27;s supervisors have been sent a message about your answer at Alpha Clinic."
        in html
    )
    assert "within 4 hours, the service&#x27;s administrators are told." in html
    alert = link.risk_alerts.get()
    logged_in(personas.therapist_a).get(reverse("alert-detail", args=[alert.pk]))
    html = HttpClient().get(url).content.decode()
    assert "Someone at Alpha Clinic who looks after your care has seen your answer." in html
    assert "sent a message" not in html
