"""The issue's "done when", for alerts: a positive self-harm answer posted over real HTTP to a live server puts the
risk-alert e-mail in the therapist's mailbox on a real SMTP server on loopback (aiosmtpd), without the client's
name; the link in it opens the alert, which acknowledges it. The send task runs in the server's process as soon as
the answer commits (Huey's immediate mode, the tests' default)."""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from django.urls import reverse

from iptriad.measures.models import RiskAlert
from iptriad.measures.services import self_report_link_create
from iptriad.notifications.models import Message, MessageState
from tests.conftest import logged_in
from tests.measures.factories import PHQ9_WITH_RISK
from tests.notifications.smtp import Recorder, smtp_server
from tests.notifications.test_transports import smtp_settings

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def smtp() -> Iterator[Recorder]:
    """n11-core's loopback SMTP server, with the e-mail settings pointed at it as IPTRIAD_EMAIL_URL would."""
    with smtp_server() as (recorder, port), smtp_settings(f"smtp://127.0.0.1:{port}"):
        yield recorder


def test_a_self_harm_answer_over_http_reaches_the_therapists_mailbox_without_the_clients_name(
    personas, live_server, smtp, settings
):
    settings.SITE_URL = live_server.url
    _, token = self_report_link_create(
        actor=personas.actor(personas.therapist_a), client=personas.client_a, code="phq9"
    )
    answers = {f"item_{number}": str(position) for number, position in enumerate(PHQ9_WITH_RISK, start=1)}
    request = urllib.request.Request(  # noqa: S310 - http:// to the live server on loopback
        live_server.url + reverse("self-report", args=[token]),
        data=urllib.parse.urlencode(answers).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - the live server, loopback
        page = response.read().decode()
    assert "Your therapist has been sent a message about your answer at Alpha Clinic." in page

    alert = RiskAlert.objects.get()
    received = smtp.wait_for(1)
    assert [mail.rcpt_tos for mail in received] == [["therapist.a@alpha.example"]]
    mail = received[0].message
    text = mail["Subject"] + mail.get_content()
    assert mail["Subject"] == "iptriad: a risk alert needs attention"
    for secret in (personas.client_a.given_name, personas.client_a.family_name, personas.client_a.identifier, "PHQ"):
        assert secret not in text
    link = f"{live_server.url}/alerts/{alert.pk}/"
    assert link in mail.get_content()
    message = Message.objects.get(alert=alert)
    assert (message.state, message.to_user_id, message.body) == (MessageState.SENT, personas.therapist_a.pk, "")

    # The therapist follows the link: the alert opens, and it is acknowledged.
    response = logged_in(personas.therapist_a).get(urllib.parse.urlsplit(link).path)
    assert response.status_code == 200
    alert.refresh_from_db()
    assert alert.acknowledged_by_id == personas.therapist_a.pk
