"""How a message leaves: e-mail through Django's mail (IPTRIAD_EMAIL_URL), SMS through a provider
(IPTRIAD_SMS_URL). A transport calls `hand_over()` just before the step it cannot take back, and returns the
provider's id for the message or raises TransportError."""

from __future__ import annotations

from iptriad.notifications.models import Channel, Message
from iptriad.notifications.transports.base import HandOver, HandOverRefused, TransportError
from iptriad.notifications.transports.email import email_send
from iptriad.notifications.transports.sms import sms_provider

__all__ = ["HandOver", "HandOverRefused", "TransportError", "transport_send"]


def transport_send(message: Message, *, hand_over: HandOver) -> str:
    if message.channel == Channel.EMAIL:
        return email_send(message, hand_over=hand_over)
    return sms_provider().send(to=message.address, body=message.body, hand_over=hand_over)
