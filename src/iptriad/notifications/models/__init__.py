"""The notifications app's models, one module per part (messages: the outbox; settings: per organisation)."""

from iptriad.notifications.models.messages import FINAL_STATES, Channel, Message, MessageState
from iptriad.notifications.models.settings import NotificationSettings

__all__ = ["FINAL_STATES", "Channel", "Message", "MessageState", "NotificationSettings"]
