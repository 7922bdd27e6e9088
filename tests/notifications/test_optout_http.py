"""The client's stop page and the SMS gateway's STOP webhook, over a real socket (a live server and urllib)."""

from __future__ import annotations

import secrets
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
import time_machine

from iptriad.audit.models import AuditAction, AuditEvent
from iptriad.clients.models import Client
from iptriad.env import SmsUrl
from iptriad.notifications.links import scheduled_links_run
from iptriad.notifications.models import Channel, Message, MessageState, ScheduledLink
from iptriad.notifications.optout import twilio_signature
from iptriad.notifications.outbox import message_queue
from tests.conftest import Personas
from tests.notifications.helpers import closed_port
from tests.notifications.links_helpers import consenting_client, course_planned, utc

pytestmark = pytest.mark.django_db(transaction=True)

AUTH_TOKEN = "test-auth-token-" + "0" * 16


def fetch(url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    method = "POST" if data is not None else "GET"
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)  # noqa: S310 - own server
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the test's own live server
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _scheduled(personas: Personas, **fields: Any) -> tuple[Client, str]:
    """A client with a scheduled link whose message is queued; returns the client and the stop token."""
    client = consenting_client(personas, **fields)
    course_planned(client, personas, utc(2030, 1, 11, 14, 0))
    with time_machine.travel(utc(2030, 1, 9, 10, 0), tick=False):
        scheduled_links_run()
    row = ScheduledLink.objects.filter(client=client).earliest("pk")
    return client, row.stop_token


def test_the_stop_page_asks_then_stops_the_messages_and_says_how_to_opt_in_again(live_server, personas) -> None:
    client, stop = _scheduled(personas)
    url = f"{live_server.url}/m/{stop}/stop/"
    status, page = fetch(url)
    assert status == 200
    assert "Stop these messages?" in page
    client.refresh_from_db()
    assert client.messages_opted_out_at is None  # opening the link (or a link preview) stops nothing
    assert fetch(url, {})[0] == 400  # a post without the page's button confirms nothing
    status, page = fetch(url, {"confirm": "yes"})
    assert status == 200
    assert "You will get no more messages" in page
    assert "ask your therapist" in page
    assert "Robin" not in page  # no client name on a page anyone holding the link can open
    client.refresh_from_db()
    assert client.messages_opted_out_at is not None
    # The links' messages went when the job's transaction committed (Huey's immediate mode in tests); nothing is
    # left queued (cancelling what is queued is tested in test_reminders.py).
    assert not Message.objects.filter(to_client=client, state=MessageState.QUEUED).exists()
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_MESSAGES_OPTED_OUT, object_id=str(client.pk))
    assert event.actor_id is None
    assert event.detail == {"via": "stop_link"}
    assert fetch(url, {"confirm": "yes"})[0] == 200  # a second click changes nothing and still answers
    assert AuditEvent.objects.filter(action=AuditAction.CLIENT_MESSAGES_OPTED_OUT).count() == 1


def test_an_unknown_stop_token_is_a_404_that_names_nobody(live_server, personas) -> None:
    status, page = fetch(f"{live_server.url}/m/{secrets.token_urlsafe(12)}/stop/", {"confirm": "yes"})
    assert status == 404
    assert "This link is not valid" in page


def _sms_sent(personas: Personas, client: Client) -> None:
    message_queue(
        organisation=personas.org_a,
        kind="link_sent",
        channel=Channel.SMS,
        address="+44 7700 900123",
        subject="",
        body="Alpha Clinic: A short questionnaire ...",
        dedupe_key=f"sms-{client.pk}",
        to_client=client,
    )


@pytest.fixture
def twilio(settings: Any, live_server: Any) -> str:
    # A gateway nothing listens at: the queued SMS stay queued for a retry, never leave the machine.
    settings.SMS_URL = SmsUrl(
        backend="twilio",
        account_sid="AC123",
        auth_token=AUTH_TOKEN,
        base_url=f"http://127.0.0.1:{closed_port()}",
        sender="+15005550006",
    )
    settings.SITE_URL = live_server.url
    return f"{live_server.url}/sms/inbound/"


def _signed(url: str, params: dict[str, str], token: str = AUTH_TOKEN) -> dict[str, str]:
    return {"X-Twilio-Signature": twilio_signature(token, url, {name: [value] for name, value in params.items()})}


def test_a_signed_stop_by_sms_opts_out_the_clients_messaged_at_that_number(twilio, personas) -> None:
    client = consenting_client(personas, message_channel="sms")
    other = consenting_client(personas, "MSG-2", message_channel="sms", phone="+44 7700 900999")
    _sms_sent(personas, client)
    params = {"From": "+447700900123", "To": "+15005550006", "Body": "Stop", "MessageSid": "SM1"}
    status, reply = fetch(twilio, params, _signed(twilio, params))
    assert status == 200
    assert "<Response></Response>" in reply
    client.refresh_from_db()
    other.refresh_from_db()
    assert client.messages_opted_out_at is not None
    assert other.messages_opted_out_at is None
    assert Message.objects.get(to_client=client).state == MessageState.CANCELLED
    event = AuditEvent.objects.get(action=AuditAction.CLIENT_MESSAGES_OPTED_OUT)
    assert event.detail == {"via": "sms_stop"}


def test_other_words_by_sms_change_nothing(twilio, personas) -> None:
    client = consenting_client(personas, message_channel="sms")
    _sms_sent(personas, client)
    params = {"From": "+447700900123", "Body": "Thanks, see you Friday"}
    assert fetch(twilio, params, _signed(twilio, params))[0] == 200
    client.refresh_from_db()
    assert client.messages_opted_out_at is None


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Twilio-Signature": "not-a-signature"},
        "wrong token",
        "other body",
    ],
    ids=["none", "garbage", "signed with another token", "signed for another body"],
)
def test_a_badly_signed_webhook_is_refused_and_changes_nothing(twilio, personas, headers) -> None:
    client = consenting_client(personas, message_channel="sms")
    _sms_sent(personas, client)
    params = {"From": "+447700900123", "Body": "STOP"}
    if headers == "wrong token":
        headers = _signed(twilio, params, token="another-token")
    elif headers == "other body":
        headers = _signed(twilio, {"From": "+447700900123", "Body": "hello"})
    assert fetch(twilio, params, headers)[0] == 403
    client.refresh_from_db()
    assert client.messages_opted_out_at is None
    assert Message.objects.get(to_client=client).state == MessageState.QUEUED


def test_the_webhook_refuses_everything_when_sms_goes_through_no_gateway(live_server, settings, personas) -> None:
    settings.SITE_URL = live_server.url
    url = f"{live_server.url}/sms/inbound/"
    params = {"From": "+447700900123", "Body": "STOP"}
    assert fetch(url, params, _signed(url, params, token=""))[0] == 403
