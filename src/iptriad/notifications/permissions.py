"""Who may change the notification settings and read the message log: the organisation's administrators."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action


class NotificationSettingsPolicy:
    def allows(self, actor: Actor, action: Action) -> bool:
        return actor.role == Role.ADMIN and action in (Action.VIEW, Action.UPDATE)

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(organisation=actor.organisation) if self.allows(actor, action) else queryset.none()


class MessageLogPolicy:
    """Every message of the organisation, without content: administrators. (A client's clinicians see that
    client's messages on the client's pages, through the sections other parts register.)"""

    def allows(self, actor: Actor, action: Action) -> bool:
        return actor.role == Role.ADMIN and action == Action.LIST

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(organisation=actor.organisation) if self.allows(actor, action) else queryset.none()


notification_settings_policy = NotificationSettingsPolicy()
message_log_policy = MessageLogPolicy()
