"""Helpers for the notifications tests: a port nothing listens on, and a queued staff or client message."""

from __future__ import annotations

import socket
from typing import Any

from iptriad.notifications.models import Message
from iptriad.notifications.outbox import Channel, message_queue
from tests.conftest import Personas


def closed_port() -> int:
    """A loopback port that refuses connections (bound, never listening, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def queue_staff_email(personas: Personas, key: str = "staff-1", **fields: Any) -> Message:
    values: dict[str, Any] = {
        "organisation": personas.org_a,
        "kind": "alert_opened",
        "channel": Channel.EMAIL,
        "address": personas.therapist_a.email,
        "subject": "A risk alert needs your attention",
        "body": "Open iptriad to see it: https://iptriad.example/alerts/1/",
        "dedupe_key": key,
        "to_user": personas.therapist_a,
    }
    values.update(fields)
    return message_queue(**values)


def queue_client_message(personas: Personas, key: str = "client-1", **fields: Any) -> Message:
    values: dict[str, Any] = {
        "organisation": personas.org_a,
        "kind": "link_sent",
        "channel": Channel.EMAIL,
        "address": "casey@example.org",
        "subject": "A short questionnaire from your therapist",
        "body": "Please answer here: https://iptriad.example/r/abc/",
        "dedupe_key": key,
        "to_client": personas.client_a,
    }
    values.update(fields)
    return message_queue(**values)
