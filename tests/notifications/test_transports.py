"""The transports against real servers on loopback: SMTP (aiosmtpd) and an HTTP stand-in for Twilio."""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.test.utils import override_settings

from iptriad.env import ConfigurationError, parse_email_url, parse_sms_url
from iptriad.notifications.models import MessageState
from iptriad.notifications.outbox import Channel
from tests.notifications.helpers import queue_client_message, queue_staff_email
from tests.notifications.smtp import smtp_server

NOON = dt.datetime(2026, 1, 14, 12, 0, tzinfo=dt.UTC)


def smtp_settings(url: str) -> override_settings:
    parsed = parse_email_url("IPTRIAD_EMAIL_URL", url)
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=parsed.host,
        EMAIL_PORT=parsed.port,
        EMAIL_HOST_USER=parsed.user,
        EMAIL_HOST_PASSWORD=parsed.password,
        EMAIL_USE_TLS=parsed.use_tls,
        EMAIL_USE_SSL=parsed.use_ssl,
        EMAIL_TIMEOUT=parsed.timeout,
        DEFAULT_FROM_EMAIL="Alpha Clinic <alerts@alpha.example>",
    )


@pytest.mark.django_db
@time_machine.travel(NOON, tick=False)
def test_an_email_reaches_a_real_smtp_server_with_login(personas, django_capture_on_commit_callbacks):
    with smtp_server(username="relay", password="p@ss word") as (recorder, port):
        with (
            smtp_settings(f"smtp://relay:p%40ss%20word@127.0.0.1:{port}"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            message = queue_staff_email(personas)
        [received] = recorder.received
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert received.rcpt_tos == [personas.therapist_a.email]
    assert received.mail_from == "alerts@alpha.example"
    assert received.message["Subject"] == "A risk alert needs your attention"
    assert received.message["Message-ID"] == message.provider_id
    assert received.message["Message-ID"].endswith("@alpha.example>")
    assert "https://iptriad.example/alerts/1/" in received.message.get_content()


@pytest.mark.django_db
@time_machine.travel(NOON, tick=False)
def test_a_permanent_smtp_refusal_fails_with_the_status_as_the_reason(personas, django_capture_on_commit_callbacks):
    with smtp_server() as (recorder, port):
        recorder.refuse_with = "550 Mailbox unavailable"
        with smtp_settings(f"smtp://127.0.0.1:{port}"), django_capture_on_commit_callbacks(execute=True):
            message = queue_staff_email(personas)
    message.refresh_from_db()
    assert recorder.received == []
    assert message.state == MessageState.FAILED  # 5xx: the server will not take it however often we try
    assert message.reason == "SMTP 550"


@pytest.mark.django_db
@time_machine.travel(NOON, tick=False)
def test_a_temporary_smtp_refusal_is_retried(personas, django_capture_on_commit_callbacks):
    with smtp_server() as (recorder, port):
        recorder.refuse_with = "451 Try again later"
        with smtp_settings(f"smtp://127.0.0.1:{port}"), django_capture_on_commit_callbacks(execute=True):
            message = queue_staff_email(personas)
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED
    assert message.reason == "SMTP 451"
    assert message.next_attempt_at == NOON + dt.timedelta(minutes=1)


# --- Twilio ------------------------------------------------------------------------------------------


@dataclass
class TwilioStandIn:
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 201


@contextmanager
def twilio_server() -> Iterator[tuple[TwilioStandIn, int]]:
    state = TwilioStandIn()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = urllib.parse.parse_qs(self.rfile.read(length).decode())
            state.requests.append(
                {
                    "path": self.path,
                    "authorization": self.headers.get("Authorization"),
                    "content_type": self.headers.get("Content-Type"),
                    "form": {key: values[-1] for key, values in form.items()},
                }
            )
            if state.status == 201:
                body = json.dumps({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"}).encode()
            else:
                body = json.dumps({"code": 21211, "message": "The 'To' number +447700900123 is not valid"}).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


SID = "AC0123456789abcdef0123456789abcdef"


@pytest.mark.django_db
@time_machine.travel(NOON, tick=False)
def test_an_sms_goes_through_the_twilio_rest_api(personas, django_capture_on_commit_callbacks):
    with twilio_server() as (twilio, port):
        url = f"twilio://{SID}:secret-token@127.0.0.1:{port}?from=%2B441234567890"
        with (
            override_settings(SMS_URL=parse_sms_url("IPTRIAD_SMS_URL", url)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            message = queue_client_message(personas, channel=Channel.SMS, address="+447700900123")
    message.refresh_from_db()
    assert message.state == MessageState.SENT
    assert message.provider_id == "SM0123456789abcdef0123456789abcdef"
    [request] = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert request["authorization"] == "Basic " + base64.b64encode(f"{SID}:secret-token".encode()).decode()
    assert request["content_type"] == "application/x-www-form-urlencoded"
    assert request["form"] == {
        "To": "+447700900123",
        "From": "+441234567890",
        "Body": "Please answer here: https://iptriad.example/r/abc/",
    }


@pytest.mark.django_db
@time_machine.travel(NOON, tick=False)
def test_a_gateway_error_keeps_the_status_not_the_body(personas, django_capture_on_commit_callbacks):
    with twilio_server() as (twilio, port):
        twilio.status = 400
        url = f"twilio://{SID}:secret-token@127.0.0.1:{port}?from=%2B441234567890"
        with (
            override_settings(SMS_URL=parse_sms_url("IPTRIAD_SMS_URL", url)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            message = queue_client_message(personas, channel=Channel.SMS, address="+447700900123")
    message.refresh_from_db()
    assert message.state == MessageState.FAILED
    assert message.reason == "SMS gateway answered HTTP 400"
    assert "+44" not in message.reason


@pytest.mark.django_db
@time_machine.travel(NOON, tick=False)
def test_a_gateway_that_is_down_is_retried(personas, django_capture_on_commit_callbacks):
    with twilio_server() as (twilio, port):
        twilio.status = 503
        url = f"twilio://{SID}:secret-token@127.0.0.1:{port}?from=%2B441234567890"
        with (
            override_settings(SMS_URL=parse_sms_url("IPTRIAD_SMS_URL", url)),
            django_capture_on_commit_callbacks(execute=True),
        ):
            message = queue_client_message(personas, channel=Channel.SMS, address="+447700900123")
    message.refresh_from_db()
    assert message.state == MessageState.QUEUED
    assert message.reason == "SMS gateway answered HTTP 503"


# --- Parsing the URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("console://", {"backend": "console"}),
        ("smtp://mail.example.org", {"host": "mail.example.org", "port": 25, "use_tls": False, "use_ssl": False}),
        ("smtp://u:p@mail.example.org:2525?starttls=1", {"port": 2525, "use_tls": True, "user": "u", "password": "p"}),
        ("smtp+starttls://mail.example.org", {"port": 587, "use_tls": True}),
        ("smtps://mail.example.org", {"port": 465, "use_ssl": True}),
        ("smtp://mail.example.org?timeout=5", {"timeout": 5}),
    ],
)
def test_email_urls(url, expected):
    parsed = parse_email_url("IPTRIAD_EMAIL_URL", url)
    assert {key: getattr(parsed, key) for key in expected} == expected


@pytest.mark.parametrize(
    "url",
    ["http://mail.example.org", "smtp://", "smtp://mail.example.org:port", "smtps://m.example.org?starttls=1"],
)
def test_bad_email_urls_are_refused_in_one_line(url):
    with pytest.raises(ConfigurationError, match="IPTRIAD_EMAIL_URL"):
        parse_email_url("IPTRIAD_EMAIL_URL", url)


def test_sms_urls():
    twilio = parse_sms_url("IPTRIAD_SMS_URL", f"twilio://{SID}:tok@api.twilio.com?from=%2B441234567890")
    assert (twilio.backend, twilio.base_url, twilio.sender) == ("twilio", "https://api.twilio.com", "+441234567890")
    assert parse_sms_url("IPTRIAD_SMS_URL", "twilio://a:b@127.0.0.1:9999?from=x").base_url == "http://127.0.0.1:9999"
    assert parse_sms_url("IPTRIAD_SMS_URL", "file:///var/lib/iptriad/sms").path == "/var/lib/iptriad/sms"
    assert parse_sms_url("IPTRIAD_SMS_URL", "").backend == "none"


@pytest.mark.parametrize(
    "url", ["twilio://api.twilio.com?from=x", f"twilio://{SID}:tok@api.twilio.com", "sms://x", "file://relative"]
)
def test_bad_sms_urls_are_refused_in_one_line(url):
    with pytest.raises(ConfigurationError, match="IPTRIAD_SMS_URL"):
        parse_sms_url("IPTRIAD_SMS_URL", url)
