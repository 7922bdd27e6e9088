"""Risk alerts reach a person: the clinicians at once, then the supervisors, then the administrators and on-call,
while nobody acknowledges the alert (iptriad.notifications.alerts), with time moved by time_machine."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from iptriad.accounts.models import Membership, Role
from iptriad.audit.models import AuditEvent
from iptriad.measures.models import RiskAlert
from iptriad.measures.services import (
    administration_record,
    risk_alert_close,
    risk_alert_open_concern,
    self_report_link_create,
)
from iptriad.measures.signals import risk_alert_opened
from iptriad.notifications.alerts import alerts_escalate, duration_words
from iptriad.notifications.models import AlertEscalation, Message, NotificationSettings
from iptriad.notifications.settings import notification_settings_for
from tests.conftest import logged_in, make_client, make_user
from tests.courses.factories import full_course
from tests.measures.factories import PHQ9_WITH_RISK, self_report_submit

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 3, 22, 30, tzinfo=dt.UTC)  # in the organisation's quiet hours: clinicians still told
CLOSE = {"risk_level": "low", "assessment": "Passive thoughts, no plan.", "action": "safety_plan", "action_detail": ""}


def open_alert(personas, client=None) -> RiskAlert:
    client = client or personas.client_a
    actor = personas.actor(
        personas.supervisor_a if client.organisation_id == personas.org_a.pk else personas.therapist_b,
        client.organisation,
    )
    return administration_record(actor=actor, client=client, code="phq9", answers=PHQ9_WITH_RISK).risk_alerts.get()


def told(alert: RiskAlert) -> list[tuple[str, str, str, str]]:
    """(kind, channel, recipient, address) of each message about the alert, in the order queued."""
    return [
        (message.kind, message.channel, message.to_user.email if message.to_user else "", message.address)
        for message in Message.objects.filter(alert=alert).select_related("to_user").order_by("pk")
    ]


def test_the_chain_therapist_then_supervisors_then_administrators_and_on_call(personas):
    settings = notification_settings_for(personas.org_a)
    settings.on_call_email = "on-call@alpha.example"
    settings.save()
    with time_machine.travel(T0, tick=False):
        alert = open_alert(personas)
        assert told(alert) == [("alert_opened", "email", "therapist.a@alpha.example", "therapist.a@alpha.example")]
    with time_machine.travel(T0 + dt.timedelta(minutes=239), tick=False):
        assert alerts_escalate() == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=240), tick=False):
        assert alerts_escalate() == 1
        assert alerts_escalate() == 0  # idempotent: the next minute's run tells nobody again
        assert told(alert)[1:] == [
            ("alert_escalated", "email", "supervisor.a@alpha.example", "supervisor.a@alpha.example")
        ]
    with time_machine.travel(T0 + dt.timedelta(minutes=479), tick=False):
        assert alerts_escalate() == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=480), tick=False):
        assert alerts_escalate() == 1
        assert told(alert)[2:] == [
            ("alert_escalated", "email", "admin.a@alpha.example", "admin.a@alpha.example"),
            ("alert_escalated", "email", "", "on-call@alpha.example"),
        ]
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        assert alerts_escalate() == 0  # the last level: nobody further
    assert len(told(alert)) == 4
    levels = AlertEscalation.objects.filter(alert=alert).order_by("level")
    assert [(row.level, row.told, row.at - T0) for row in levels] == [
        (0, 1, dt.timedelta(0)),
        (1, 1, dt.timedelta(minutes=240)),
        (2, 2, dt.timedelta(minutes=480)),
    ]
    events = AuditEvent.objects.filter(object_id=str(alert.pk), action__in=["alert.notified", "alert.escalated"])
    assert sorted((event.action, event.detail["level"], event.detail["told"]) for event in events) == [
        ("alert.escalated", 1, 1),
        ("alert.escalated", 2, 2),
        ("alert.notified", 0, 1),
    ]
    # Clinicians' alert messages ignore the quiet hours (21:00-08:00 here): each was due when queued.
    assert all(message.next_attempt_at == message.queued_at for message in Message.objects.filter(alert=alert))


def test_the_organisations_delay_is_used(personas):
    NotificationSettings.objects.update_or_create(
        organisation=personas.org_a, defaults={"alert_escalation_minutes": 30}
    )
    with time_machine.travel(T0, tick=False):
        alert = open_alert(personas)
    with time_machine.travel(T0 + dt.timedelta(minutes=29), tick=False):
        assert alerts_escalate() == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=30), tick=False):
        assert alerts_escalate() == 1
    with time_machine.travel(T0 + dt.timedelta(minutes=60), tick=False):
        assert alerts_escalate() == 1
    assert [kind for kind, *_ in told(alert)] == ["alert_opened", "alert_escalated", "alert_escalated"]


def test_an_acknowledged_alert_is_not_escalated(personas):
    with time_machine.travel(T0, tick=False):
        alert = open_alert(personas)
    with time_machine.travel(T0 + dt.timedelta(minutes=10), tick=False):
        assert logged_in(personas.therapist_a).get(reverse("alert-detail", args=[alert.pk])).status_code == 200
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        assert alerts_escalate() == 0
    assert len(told(alert)) == 1


def test_a_closed_alert_is_not_escalated(personas):
    with time_machine.travel(T0, tick=False):
        alert = open_alert(personas)
    risk_alert_close(actor=personas.actor(personas.supervisor_a), alert=alert, **CLOSE)
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        assert alerts_escalate() == 0
    assert len(told(alert)) == 1


def test_a_rolled_back_alert_queues_nothing(personas):
    class RefusedError(Exception):
        pass

    def open_then_fail() -> None:
        with transaction.atomic():
            open_alert(personas)
            assert Message.objects.count() == 1  # queued inside the transaction...
            raise RefusedError

    with pytest.raises(RefusedError):
        open_then_fail()
    assert not RiskAlert.objects.exists()
    assert not Message.objects.exists()  # ...and gone with it
    assert not AlertEscalation.objects.exists()


def test_the_messages_say_only_that_an_alert_needs_attention_with_its_link(personas):
    client = make_client(personas.org_a, "A-7731", personas.therapist_a, given_name="Quillon", family_name="Zarkov")
    settings = notification_settings_for(personas.org_a)
    settings.sms_enabled = True
    settings.on_call_email = "on-call@alpha.example"
    settings.save()
    personas.therapist_a.mobile_phone = "+447700900123"
    personas.therapist_a.save()
    concern = "Said they have bought pills and written a note."
    with time_machine.travel(T0, tick=False):
        alert = risk_alert_open_concern(actor=personas.actor(personas.therapist_a), client=client, concern=concern)
    for hours in (4, 8):
        with time_machine.travel(T0 + dt.timedelta(hours=hours), tick=False):
            assert alerts_escalate() == 1
    messages = list(Message.objects.filter(alert=alert))
    assert {message.channel for message in messages} == {"email", "sms"}
    for message in messages:
        text = message.subject + message.body
        assert f"/alerts/{alert.pk}/" in message.body
        assert message.body.count("http") == 1
        for secret in ("Quillon", "Zarkov", "A-7731", str(client.pk), "pills", "note", "item", "PHQ", "suicid", "harm"):
            assert secret.lower() not in text.lower().replace(f"/alerts/{alert.pk}/", "")
    sms = next(message for message in messages if message.channel == "sms")
    assert sms.address == "+447700900123"
    assert sms.body.startswith("iptriad: a risk alert at Alpha Clinic needs attention. http")


def test_sms_only_where_the_organisation_sends_them_and_the_person_has_a_mobile(personas):
    personas.therapist_a.mobile_phone = "+447700900123"
    personas.therapist_a.save()
    alert = open_alert(personas)
    assert [channel for _, channel, *_ in told(alert)] == ["email"]  # SMS off by default
    NotificationSettings.objects.filter(organisation=personas.org_a).update(sms_enabled=True)
    second = open_alert(personas)
    assert [channel for _, channel, *_ in told(second)] == ["email", "sms"]


def test_the_clinician_running_the_course_is_told_not_only_the_assigned_therapist(personas):
    client = make_client(personas.org_a, "A-0042", personas.therapist_a)
    full_course(client, personas.therapist_a2)  # the course is run by another therapist
    alert = open_alert(personas, client)
    assert [recipient for _, _, recipient, _ in told(alert)] == ["therapist.a2@alpha.example"]


def test_with_nobody_responsible_the_supervisors_are_told_at_once(personas):
    client = make_client(personas.org_a, "A-0043", None)
    with time_machine.travel(T0, tick=False):
        alert = open_alert(personas, client)
    assert told(alert) == [("alert_escalated", "email", "supervisor.a@alpha.example", "supervisor.a@alpha.example")]
    assert [(row.level, row.told) for row in AlertEscalation.objects.filter(alert=alert).order_by("level")] == [
        (0, 0),
        (1, 1),
    ]
    with time_machine.travel(T0 + dt.timedelta(minutes=240), tick=False):
        assert alerts_escalate() == 1  # the administrators after the delay, counted from the supervisors
    assert told(alert)[-1][2] == "admin.a@alpha.example"


def test_a_deactivated_therapist_is_passed_over(personas):
    leaver = make_user("leaver@alpha.example", "Lee Ver", personas.org_a, Role.THERAPIST)
    client = make_client(personas.org_a, "A-0044", leaver)
    Membership.objects.filter(user=leaver).update(is_active=False)
    alert = open_alert(personas, client)
    assert [recipient for _, _, recipient, _ in told(alert)] == ["supervisor.a@alpha.example"]


def test_without_anyone_responsible_or_a_supervisor_the_administrators_are_told_at_once(personas):
    # Beta Service has no supervisor; the client's therapist was unassigned after the link was sent.
    client = make_client(personas.org_b, "B-0044", personas.therapist_b)
    _, token = self_report_link_create(
        actor=personas.actor(personas.therapist_b, personas.org_b), client=client, code="phq9"
    )
    client.therapist = None
    client.save()
    alert = self_report_submit(token=token, answers=PHQ9_WITH_RISK, ip_address=None).risk_alerts.get()
    assert told(alert) == [("alert_escalated", "email", "admin.b@beta.example", "admin.b@beta.example")]
    assert [(row.level, row.told) for row in AlertEscalation.objects.filter(alert=alert).order_by("level")] == [
        (0, 0),
        (1, 0),
        (2, 1),
    ]


def test_a_failing_receiver_never_loses_the_alert_and_the_job_sends_what_was_missed(personas):
    def broken(**kwargs):
        raise RuntimeError("a receiver failed")

    risk_alert_opened.connect(broken, dispatch_uid="test-broken-receiver")
    try:
        alert = open_alert(personas)
    finally:
        risk_alert_opened.disconnect(dispatch_uid="test-broken-receiver")
    assert RiskAlert.objects.filter(pk=alert.pk, closed_at__isnull=True).exists()
    assert alert.administration is not None
    assert alert.administration.answers.count() == 9
    assert told(alert) == []  # the receivers' writes were rolled back with their savepoint
    assert alerts_escalate() == 1  # the next minute's run tells the clinicians
    assert [kind for kind, *_ in told(alert)] == ["alert_opened"]


def test_the_alert_page_says_who_was_told_with_the_same_queries_for_1_and_5_messages(personas):
    alert = open_alert(personas)
    http = logged_in(personas.supervisor_a)
    url = reverse("alert-detail", args=[alert.pk])
    http.get(url)  # acknowledges it; the section still shows what was sent

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = http.get(url)
        assert response.status_code == 200
        return len(captured.captured_queries)

    html = http.get(url).content.decode()
    assert "Who was told" in html
    for shown in ("Tara Alpha", "Therapist", "E-mail", "Queued"):
        assert shown in html
    assert "sent to the clinicians responsible" in html
    assert "by Sunil Alpha" in html  # acknowledged
    one = queries()
    for number in range(4):
        make_user(f"extra{number}@alpha.example", f"Extra {number}", personas.org_a, Role.SUPERVISOR)
    RiskAlert.objects.filter(pk=alert.pk).update(acknowledged_at=None, acknowledged_by=None)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=5)):
        assert alerts_escalate() == 1  # five supervisors
    assert Message.objects.filter(alert=alert).count() == 6
    http.get(url)  # acknowledges it again (one write); from then on every visit reads the same
    assert queries() == one


def test_duration_words():
    assert [duration_words(minutes) for minutes in (5, 60, 90, 240, 1440, 1505)] == [
        "5 minutes",
        "1 hour",
        "1 hour 30 minutes",
        "4 hours",
        "1 day",
        "1 day 1 hour 5 minutes",
    ]
