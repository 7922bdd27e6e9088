"""The notifications app's models, one module per part (messages: the outbox; settings: per organisation; links:
self-report links sent on schedule)."""

from iptriad.notifications.models.links import ScheduledLink
from iptriad.notifications.models.messages import FINAL_STATES, Channel, Message, MessageState
from iptriad.notifications.models.settings import NotificationSettings

__all__ = ["FINAL_STATES", "Channel", "Message", "MessageState", "NotificationSettings", "ScheduledLink"]
