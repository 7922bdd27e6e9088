"""The notification settings page and the message log: administrators only, validated, audited, fixed queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.notifications.models import MessageState
from iptriad.notifications.outbox import Channel
from iptriad.notifications.settings import notification_settings_for
from tests.conftest import logged_in
from tests.notifications.helpers import queue_client_message, queue_staff_email

pytestmark = pytest.mark.django_db

VALID = {
    "alert_escalation_minutes": "60",
    "on_call_email": "oncall@alpha.example",
    "quiet_hours_start": "22:00",
    "quiet_hours_end": "07:30",
    "link_lead_days": "2",
    "link_valid_days": "5",
    "reminder_after_days": "3",
    "reminder_count": "2",
    "sms_enabled": "on",
}


def test_an_administrator_changes_the_settings_and_it_is_audited(personas):
    http = logged_in(personas.admin_a, personas.org_a)
    page = http.get("/organisation/notifications/")
    assert page.status_code == 200
    assert b'value="240"' in page.content
    response = http.post("/organisation/notifications/", VALID)
    assert response.status_code == 302
    saved = notification_settings_for(personas.org_a)
    assert saved.alert_escalation_minutes == 60
    assert saved.on_call_email == "oncall@alpha.example"
    assert str(saved.quiet_hours_end) == "07:30:00"
    assert (saved.reminder_count, saved.sms_enabled) == (2, True)
    event = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_SETTINGS_CHANGED)
    assert event.actor == personas.admin_a
    assert "oncall" not in str(event.detail)
    assert "on_call_email" in event.detail["fields"]
    # Organisation B's settings are untouched.
    assert notification_settings_for(personas.org_b).alert_escalation_minutes == 240


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("alert_escalation_minutes", "4"),
        ("alert_escalation_minutes", "10081"),
        ("reminder_count", "3"),
        ("on_call_email", "not an address"),
        ("quiet_hours_start", "25:00"),
        ("link_valid_days", "0"),
    ],
)
def test_bad_values_are_refused_with_a_form_error_and_nothing_saved(personas, field, value):
    http = logged_in(personas.admin_a, personas.org_a)
    response = http.post("/organisation/notifications/", {**VALID, field: value})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert notification_settings_for(personas.org_a).alert_escalation_minutes == 240
    assert not AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_SETTINGS_CHANGED).exists()


def test_the_message_log_shows_every_message_without_content(personas):
    queue_staff_email(personas, key="s1")
    queue_client_message(personas, key="c1", channel=Channel.SMS, address="+447700900123")
    queue_client_message(personas, key="c2", address="")  # failed: no address
    other = queue_staff_email(personas, key="b1", organisation=personas.org_b, to_user=personas.therapist_b)
    http = logged_in(personas.admin_a, personas.org_a)
    page = http.get("/messages/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "client A-0001" in html
    assert "Casey" not in html
    assert "Alphason" not in html
    assert "therapist" in html  # the staff recipient by role
    assert "Open iptriad" not in html
    assert "questionnaire" not in html
    assert "+447700900123" not in html
    assert "casey@example.org" not in html
    assert "No address to send to" in html
    # Each kind in words, in the table and the filter (iptriad.notifications.kinds).
    assert "<td>Risk alert</td>" in html
    assert "<td>Questionnaire link</td>" in html
    assert ">Risk alert</option>" in html
    assert len(page.context["page"].object_list) == 3
    assert other.pk not in [message.pk for message in page.context["page"].object_list]
    assert AuditEvent.objects.filter(action=AuditAction.MESSAGE_LOG_VIEWED, actor=personas.admin_a).exists()


def test_the_message_log_filters_by_state_and_kind(personas):
    queue_staff_email(personas, key="s1")
    queue_client_message(personas, key="c2", address="")
    http = logged_in(personas.admin_a, personas.org_a)
    failed = http.get("/messages/", {"state": MessageState.FAILED}).context["page"].object_list
    assert [message.kind for message in failed] == ["link_sent"]
    alerts = http.get("/messages/", {"kind": "alert_opened"}).context["page"].object_list
    assert [message.state for message in alerts] == [MessageState.QUEUED]
    assert http.get("/messages/", {"state": "nonsense"}).status_code == 200


def log_queries(personas) -> int:
    http = logged_in(personas.admin_a, personas.org_a)
    http.get("/messages/")  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert http.get("/messages/").status_code == 200
    return len(queries)


def test_the_message_log_runs_the_same_queries_for_1_and_20_messages(personas):
    queue_client_message(personas, key="c0")
    one = log_queries(personas)
    for number in range(1, 20):
        if number % 2:
            queue_staff_email(personas, key=f"s{number}", to_user=personas.supervisor_a)
        else:
            queue_client_message(personas, key=f"c{number}")
    assert log_queries(personas) == one


def test_other_roles_may_not_see_the_pages(personas):
    for user in (personas.therapist_a, personas.supervisor_a, personas.facilitator_a):
        http = logged_in(user, personas.org_a)
        assert http.get("/messages/").status_code == 403
        assert http.get("/organisation/notifications/").status_code == 403
        assert http.post("/organisation/notifications/", VALID).status_code == 403
    assert notification_settings_for(personas.org_a).alert_escalation_minutes == 240
