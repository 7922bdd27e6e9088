"""E-mail through Django's mail backends, configured from IPTRIAD_EMAIL_URL and IPTRIAD_EMAIL_FROM (settings)."""

from __future__ import annotations

import email.utils
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from iptriad.notifications.models import Message
from iptriad.notifications.transports.base import TransportError


def message_id_header(message: Message) -> str:
    """A Message-ID naming the outbox row, so a receiver (and the crash benchmark) can tell one message's
    copies apart from another's."""
    _name, sender = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = sender.rpartition("@")[2] or "iptriad.invalid"
    return f"<iptriad-message-{message.organisation_id}-{message.pk}@{domain}>"


def email_send(message: Message) -> str:
    identifier = message_id_header(message)
    mail = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers={"Message-ID": identifier, "Auto-Submitted": "auto-generated"},
    )
    try:
        with get_connection(fail_silently=False) as connection:
            sent = connection.send_messages([mail])
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _text in error.recipients.values()})
        raise TransportError(f"SMTP refused the address ({', '.join(map(str, codes))})", permanent=True) from None
    except smtplib.SMTPResponseException as error:
        # 5xx: the server will not take it however often we try; 4xx: try again later.
        raise TransportError(f"SMTP {error.smtp_code}", permanent=500 <= error.smtp_code < 600) from None
    except (smtplib.SMTPException, OSError) as error:
        raise TransportError(f"Could not reach the SMTP server ({type(error).__name__})") from None
    if not sent:
        raise TransportError("The e-mail backend sent nothing")
    return identifier
