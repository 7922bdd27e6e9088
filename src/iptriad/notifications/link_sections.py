"""What notifications adds to the client's record page (clients sits below it): the messages sent to the client."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.clients.models import Client
from iptriad.notifications.kinds import kind_label
from iptriad.notifications.link_selectors import client_messages, may_see_client_messages


def client_messages_section(actor: Actor, client: Client) -> dict[str, Any] | None:
    """For the client's clinicians only: kind, channel, state, when and why; never what a message said."""
    if not may_see_client_messages(actor):
        return None
    rows = [
        {"message": message, "kind": kind_label(message.kind)}
        for message in client_messages(actor=actor, client=client)
    ]
    return {"client": client, "rows": rows}
