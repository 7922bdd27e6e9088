"""The notifications app's models, one module per part (messages: the outbox; settings: per organisation;
alerts: how far each risk alert was passed on; links: self-report links sent on schedule)."""

from iptriad.notifications.models.alerts import AlertEscalation, EscalationLevel
from iptriad.notifications.models.links import ScheduledLink
from iptriad.notifications.models.messages import FINAL_STATES, Channel, Message, MessageState
from iptriad.notifications.models.settings import NotificationSettings

__all__ = [
    "FINAL_STATES",
    "AlertEscalation",
    "Channel",
    "EscalationLevel",
    "Message",
    "MessageState",
    "NotificationSettings",
    "ScheduledLink",
]
