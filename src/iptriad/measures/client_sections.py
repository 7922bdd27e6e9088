"""What measures adds to the client's record page (clients sits below measures): the way to measures and risk."""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action
from iptriad.clients.models import Client
from iptriad.measures.permissions import measure_policy


def client_measures_link(actor: Actor, client: Client) -> dict[str, Any] | None:
    if not measure_policy.allows(actor, Action.VIEW):
        return None
    return {"client": client}
