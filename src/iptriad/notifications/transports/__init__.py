"""How a message leaves: e-mail through Django's mail (IPTRIAD_EMAIL_URL), SMS through a provider
(IPTRIAD_SMS_URL). A transport returns the provider's id for the message or raises TransportError."""

from __future__ import annotations

from iptriad.notifications.models import Channel, Message
from iptriad.notifications.transports.base import TransportError
from iptriad.notifications.transports.email import email_send
from iptriad.notifications.transports.sms import sms_provider

__all__ = ["TransportError", "transport_send"]


def transport_send(message: Message) -> str:
    if message.channel == Channel.EMAIL:
        return email_send(message)
    return sms_provider().send(to=message.address, body=message.body)
