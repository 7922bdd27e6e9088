"""The pages of scheduled links: the messages on the client's record, the response-rate report, the client form's
consent to messages and the plan of the next session; their queries do not grow with the data."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iptriad.accounts.models import User
from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.clients.models import Client
from iptriad.courses.models import Course
from iptriad.measures.models import SelfReportLink
from iptriad.notifications.links import scheduled_links_run
from iptriad.notifications.models import Message, MessageState, ScheduledLink
from tests.conftest import Personas, logged_in
from tests.notifications.links_helpers import consenting_client, course_planned, utc

pytestmark = pytest.mark.django_db

SESSION = utc(2026, 12, 11, 14, 0)


def _clients_with_links(personas: Personas, count: int, first: int = 0) -> list[Client]:
    clients = []
    for number in range(first, first + count):
        client = consenting_client(personas, f"MSG-{number}")
        course_planned(client, personas, SESSION)
        clients.append(client)
    with time_machine.travel(utc(2026, 12, 8, 15, 0), tick=False):
        scheduled_links_run()
    return clients


def _queries(http: object, url: str) -> int:
    http.get(url)  # type: ignore[attr-defined]
    with CaptureQueriesContext(connection) as captured:
        assert http.get(url).status_code == 200  # type: ignore[attr-defined]
    return len(captured.captured_queries)


def test_the_client_record_shows_their_clinicians_the_messages_without_content(personas: Personas) -> None:
    (client,) = _clients_with_links(personas, 1)
    Message.objects.filter(to_client=client).update(state=MessageState.SENT, sent_at=timezone.now())
    url = reverse("client-detail", args=[client.pk])
    page = logged_in(personas.therapist_a).get(url).content.decode()
    assert "Messages to the client" in page
    assert page.count("Questionnaire link") == 2
    assert "/r/" not in page  # no content: the link is not on the page
    assert "casey@example.org" not in page.split("Messages to the client")[1]  # nor the address
    # An administrator sees the record, not the messages (the organisation's log is theirs, without names).
    assert "Messages to the client" not in logged_in(personas.admin_a).get(url).content.decode()


def test_the_client_record_runs_the_same_queries_for_2_and_20_messages(personas: Personas) -> None:
    (client,) = _clients_with_links(personas, 1)
    http = logged_in(personas.therapist_a)
    url = reverse("client-detail", args=[client.pk])
    with_two = _queries(http, url)
    link = SelfReportLink.objects.filter(client=client).first()
    for number in range(18):
        Message.objects.create(
            organisation=personas.org_a,
            kind="link_reminder",
            channel="email",
            to_client=client,
            link=link,
            address="casey@example.org",
            dedupe_key=f"extra-{number}",
            state=MessageState.SENT,
        )
    assert _queries(http, url) == with_two


def _answer_all(after_reminder: bool) -> None:
    for row in ScheduledLink.objects.select_related("link"):
        sent = row.created_at + dt.timedelta(days=2)
        if after_reminder:
            Message.objects.create(
                organisation=row.organisation,
                kind="link_reminder",
                channel=row.channel,
                to_client_id=row.client_id,
                link=row.link,
                address="x",
                dedupe_key=f"r-{row.pk}",
                state=MessageState.SENT,
                sent_at=sent,
            )
        SelfReportLink.objects.filter(pk=row.link_id).update(used_at=sent + dt.timedelta(hours=1))


def test_the_response_report_counts_sent_answered_and_answered_after_a_reminder(personas: Personas) -> None:
    _clients_with_links(personas, 2)
    SelfReportLink.objects.filter(instrument_code="gad7").update(used_at=timezone.now())  # answered straight away
    phq9 = ScheduledLink.objects.filter(instrument_code="phq9").select_related("link").first()
    assert phq9 is not None
    Message.objects.create(
        organisation=personas.org_a,
        kind="link_reminder",
        channel="email",
        to_client_id=phq9.client_id,
        link=phq9.link,
        address="x",
        dedupe_key="r-1",
        state=MessageState.SENT,
        sent_at=utc(2026, 12, 10, 15, 0),
    )
    SelfReportLink.objects.filter(pk=phq9.link_id).update(used_at=utc(2026, 12, 10, 18, 0))
    url = reverse("message-response") + "?start=2026-12-01&end=2026-12-31"
    page = logged_in(personas.supervisor_a).get(url)
    report = page.context["report"]
    assert (report.total.sent, report.total.answered, report.total.after_reminder, report.total.rate) == (4, 3, 1, 75)
    assert [(row.label, row.sent, row.answered, row.after_reminder) for row in report.by_measure] == [
        ("GAD-7", 2, 2, 0),
        ("PHQ-9", 2, 1, 1),
    ]
    assert [(row.label, row.rate) for row in report.by_channel] == [("E-mail", 75)]
    # Outside the period: nothing.
    empty = logged_in(personas.supervisor_a).get(reverse("message-response") + "?start=2027-01-01&end=2027-01-31")
    assert empty.context["report"].total.sent == 0
    assert "No questionnaire was sent on schedule in this period." in empty.content.decode()


def test_a_therapist_sees_only_their_clients_in_the_response_report(personas: Personas) -> None:
    _clients_with_links(personas, 1)
    other = User.objects.get(pk=personas.therapist_a2.pk)
    page = logged_in(other).get(reverse("message-response") + "?start=2026-12-01&end=2026-12-31")
    assert page.context["report"].total.sent == 0
    assert (
        logged_in(personas.admin_a)
        .get(reverse("message-response") + "?start=2026-12-01&end=2026-12-31")
        .context["report"]
        .total.sent
        == 2
    )


def test_the_response_report_runs_the_same_queries_for_1_and_10_clients(personas: Personas) -> None:
    _clients_with_links(personas, 1)
    http = logged_in(personas.therapist_a)
    url = reverse("message-response") + "?start=2026-12-01&end=2026-12-31"
    with_one = _queries(http, url)
    _clients_with_links(personas, 9, first=1)
    assert ScheduledLink.objects.count() == 20
    assert _queries(http, url) == with_one


def test_a_period_that_ends_before_it_starts_is_refused_with_a_message(personas: Personas) -> None:
    page = logged_in(personas.admin_a).get(reverse("message-response") + "?start=2026-12-31&end=2026-12-01")
    assert page.status_code == 200
    assert "The period ends before it starts." in page.content.decode()


def test_the_client_form_records_the_consent_with_who_recorded_it_and_refuses_a_channel_without_address(
    personas: Personas,
) -> None:
    client = personas.client_a
    http = logged_in(personas.therapist_a)
    url = reverse("client-edit", args=[client.pk])
    form = {
        "identifier": client.identifier,
        "given_name": client.given_name,
        "family_name": client.family_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "sex": client.sex,
        "preferred_language": "en",
        "consent_to_treatment": "on",
        "consent_to_treatment_on": "2026-01-05",
        "therapist": personas.therapist_a.pk,
        "message_channel": "sms",
        "consent_to_messages": "on",
        "consent_to_messages_on": "2026-11-30",
        "phone": "",
    }
    refused = http.post(url, form)
    assert refused.status_code == 400
    assert "Enter the client&#x27;s mobile number to send messages by text message." in refused.content.decode()
    assert http.post(url, {**form, "phone": "+44 7700 900123"}).status_code == 302
    client.refresh_from_db()
    assert (client.message_channel, client.consent_to_messages, client.consent_to_messages_by) == (
        "sms",
        True,
        personas.therapist_a,
    )
    event = AuditEvent.objects.filter(action=AuditAction.CLIENT_UPDATED, object_id=str(client.pk)).latest("pk")
    assert "consent_to_messages_by" in event.detail["fields"]
    page = http.get(reverse("client-detail", args=[client.pk])).content.decode()
    assert "By text message (sms), consent given 30 Nov 2026 (recorded by Tara Alpha)" in page


def test_a_consent_recorded_again_after_an_opt_out_lifts_it(personas: Personas) -> None:
    client = consenting_client(personas, messages_opted_out_at=utc(2026, 12, 1, 9, 0))
    http = logged_in(personas.therapist_a)
    form = {
        "identifier": client.identifier,
        "given_name": client.given_name,
        "family_name": client.family_name,
        "date_of_birth": client.date_of_birth.isoformat(),
        "sex": client.sex,
        "preferred_language": "en",
        "consent_to_treatment": "on",
        "consent_to_treatment_on": "2026-01-05",
        "therapist": personas.therapist_a.pk,
        "message_channel": "email",
        "email": "casey@example.org",
        "consent_to_messages": "on",
        "consent_to_messages_on": "2026-12-02",
    }
    with time_machine.travel(utc(2026, 12, 2, 10, 0), tick=False):
        assert http.post(reverse("client-edit", args=[client.pk]), form).status_code == 302
    client.refresh_from_db()
    assert client.messages_opted_out_at is None


def test_the_course_page_plans_the_next_session_and_the_therapist_sees_it_at_home(personas: Personas) -> None:
    client = consenting_client(personas)
    course = course_planned(client, personas, SESSION)
    Course.objects.filter(pk=course.pk).update(next_session_at=None)
    with time_machine.travel(utc(2026, 12, 8, 9, 0), tick=True):
        http = logged_in(personas.therapist_a)  # in the travelled time, or the session has long timed out
        action = reverse("course-next-session", args=[course.pk])
        assert http.post(action, {"next_session_at": "2026-12-01T10:00"}).status_code == 302
        course.refresh_from_db()
        assert course.next_session_at is None  # in the past: refused
        planned = http.post(action, {"next_session_at": "2026-12-11T14:00"}, follow=True)
        assert "The next session is planned." in planned.content.decode()
        course.refresh_from_db()
        assert course.next_session_at == SESSION  # London in winter is UTC
        page = http.get(reverse("course-detail", args=[course.pk])).content.decode()
        assert "Next session planned for <strong>Friday 11 December 2026, 14:00</strong>" in page
        home = http.get("/").content.decode()
        assert '<th scope="col">Next session</th>' in home
        assert f'<a href="/courses/{course.pk}/">Fri 11 Dec, 14:00</a>' in home
        assert http.post(action, {"clear": "1"}).status_code == 302
    course.refresh_from_db()
    assert course.next_session_at is None
    assert AuditEvent.objects.filter(action=AuditAction.COURSE_NEXT_SESSION_SET).count() == 2
