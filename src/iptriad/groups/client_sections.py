"""What group IPT adds to the client's record page, which sits below it: the client's group memberships.

The page itself decides who sees the client (their therapist, supervisors, administrators); the section shows
membership and attendance to all of them, and whether the member is held only to the clinical roles. One query.
"""

from __future__ import annotations

from typing import Any

from iptriad.accounts.actors import Actor
from iptriad.clients.models import Client
from iptriad.clients.sections import client_record_sections
from iptriad.groups.selectors.members import client_group_rows
from iptriad.web.sections import Section


def client_groups(actor: Actor, client: Client) -> dict[str, Any] | None:
    rows = client_group_rows(actor, client)
    return {"rows": rows} if rows else None


def register() -> None:
    client_record_sections.register(Section("groups", "groups/_client_groups.html", client_groups, order=20))
