"""SMS: a small provider interface, Twilio's REST API, and a file backend for development.

IPTRIAD_SMS_URL (iptriad.env.parse_sms_url): `twilio://SID:TOKEN@api.twilio.com?from=...`, `file:///path`, or
unset (an SMS then fails with "SMS is not configured").
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Protocol

from django.conf import settings

from iptriad.env import SmsUrl
from iptriad.notifications.transports.base import TransportError

REASON_NOT_CONFIGURED = "SMS is not configured"


class SmsProvider(Protocol):
    def send(self, *, to: str, body: str) -> str:
        """Send one SMS; the provider's id for it, or TransportError."""
        ...


class NoSms:
    def send(self, *, to: str, body: str) -> str:
        raise TransportError(REASON_NOT_CONFIGURED, permanent=True)


class FileSms:
    """Development: each SMS as one JSON line, in the file named, or in a file of its own in the directory."""

    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def send(self, *, to: str, body: str) -> str:
        identifier = f"file-{secrets.token_hex(8)}"
        line = json.dumps({"id": identifier, "to": to, "body": body, "at": dt.datetime.now(dt.UTC).isoformat()})
        try:
            if self.path.is_dir():
                target = self.path / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{identifier}.json"
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                target = self.path
            with target.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            raise TransportError(f"Could not write the SMS file ({type(error).__name__})") from None
        return identifier


class TwilioSms:
    """Twilio Programmable Messaging: POST /2010-04-01/Accounts/{sid}/Messages.json, basic auth, form fields."""

    def __init__(self, config: SmsUrl) -> None:
        self.config = config

    def send(self, *, to: str, body: str) -> str:
        config = self.config
        url = f"{config.base_url}/2010-04-01/Accounts/{urllib.parse.quote(config.account_sid)}/Messages.json"
        sender_field = "MessagingServiceSid" if config.sender.startswith("MG") else "From"
        form = urllib.parse.urlencode({"To": to, sender_field: config.sender, "Body": body}).encode()
        credentials = base64.b64encode(f"{config.account_sid}:{config.auth_token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is https, or http to loopback only (env.py)
            url,
            data=form,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            # https, or http to loopback only (iptriad.env.parse_sms_url): never file:// or another scheme.
            with urllib.request.urlopen(request, timeout=config.timeout) as response:  # noqa: S310  # nosec B310  # https or loopback http only
                answer = json.loads(response.read(65536) or b"{}")
        except urllib.error.HTTPError as error:
            # The status only: the body may echo the number or the text.
            status = error.code
            error.close()
            raise TransportError(f"SMS gateway answered HTTP {status}", permanent=_permanent(status)) from None
        except (urllib.error.URLError, OSError) as error:
            raise TransportError(f"Could not reach the SMS gateway ({type(error).__name__})") from None
        except ValueError:
            raise TransportError("The SMS gateway's answer was not JSON") from None
        sid = answer.get("sid") if isinstance(answer, dict) else None
        if not isinstance(sid, str) or not sid:
            raise TransportError("The SMS gateway's answer had no message id")
        return sid[:100]


def _permanent(status: int) -> bool:
    """A 4xx is our request's fault (a bad number, bad credentials) except 408 and 429; a 5xx may pass."""
    return 400 <= status < 500 and status not in (408, 429)


def sms_provider() -> SmsProvider:
    config: SmsUrl = settings.SMS_URL
    if config.backend == "twilio":
        return TwilioSms(config)
    if config.backend == "file":
        return FileSms(config.path)
    return NoSms()
