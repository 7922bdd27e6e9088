"""Notifications' answers to what the apps below it tell: a link closed, a client archived."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from iptriad.accounts.actors import Actor
from iptriad.clients.models import Client
from iptriad.clients.signals import client_archived
from iptriad.measures.models import SelfReportLink
from iptriad.measures.signals import self_report_link_closed
from iptriad.notifications.links import REASON_ARCHIVED, client_messages_stopped, link_closed


@receiver(self_report_link_closed, dispatch_uid="iptriad_notifications_link_closed")
def reminders_stopped_on_link_closed(
    sender: type[SelfReportLink], link: SelfReportLink, reason: str, **kwargs: Any
) -> None:
    """Answered or withdrawn: no reminder may follow, in the same transaction."""
    link_closed(link, reason)


@receiver(client_archived, dispatch_uid="iptriad_notifications_client_archived")
def messages_stopped_on_archiving(sender: type[Client], actor: Actor, client: Client, **kwargs: Any) -> None:
    client_messages_stopped(client, REASON_ARCHIVED)
