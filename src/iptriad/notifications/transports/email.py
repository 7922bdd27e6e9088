"""E-mail through Django's mail backends, configured from IPTRIAD_EMAIL_URL and IPTRIAD_EMAIL_FROM (settings).

Over SMTP the hand-over is marked after MAIL FROM and RCPT TO are accepted and just before DATA: connecting,
TLS, login and the envelope cannot make the message arrive, so a worker dying there may safely send it again.
"""

from __future__ import annotations

import email.utils
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SmtpEmailBackend

from iptriad.notifications.models import Message
from iptriad.notifications.transports.base import HandOver, TransportError


class _HandOverMixin:
    """smtplib's sendmail() calls data() only once the server has accepted MAIL FROM and a recipient."""

    hand_over: HandOver | None = None

    def data(self, msg: Any) -> tuple[int, bytes]:
        if self.hand_over is not None:
            self.hand_over()
        return super().data(msg)  # type: ignore[misc,no-any-return]


class _HandOverSMTP(_HandOverMixin, smtplib.SMTP):
    pass


class _HandOverSMTPSSL(_HandOverMixin, smtplib.SMTP_SSL):
    pass


class HandOverSmtpBackend(SmtpEmailBackend):
    """Django's SMTP backend, whose connection calls `hand_over` just before DATA."""

    def __init__(self, *, hand_over: HandOver, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hand_over = hand_over

    @property
    def connection_class(self) -> Any:
        smtp_class = _HandOverSMTPSSL if self.use_ssl else _HandOverSMTP
        hand_over = self.hand_over

        def connect(*args: Any, **kwargs: Any) -> smtplib.SMTP:
            connection = smtp_class(*args, **kwargs)
            connection.hand_over = hand_over
            return connection

        return connect


def message_id_header(message: Message) -> str:
    """A Message-ID naming the outbox row, so a receiver (and the crash benchmark) can tell one message's
    copies apart from another's."""
    _name, sender = email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = sender.rpartition("@")[2] or "iptriad.invalid"
    return f"<iptriad-message-{message.organisation_id}-{message.pk}@{domain}>"


def email_send(message: Message, *, hand_over: HandOver) -> str:
    identifier = message_id_header(message)
    mail = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.address],
        headers={"Message-ID": identifier, "Auto-Submitted": "auto-generated"},
    )
    handed_over = False

    def mark() -> None:
        nonlocal handed_over
        hand_over()
        handed_over = True

    try:
        if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
            connection: Any = HandOverSmtpBackend(hand_over=mark, fail_silently=False)
        else:  # console, locmem (tests), file: nothing leaves the machine before send_messages
            connection = get_connection(fail_silently=False)
            mark()
        with connection:
            sent = connection.send_messages([mail])
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _text in error.recipients.values()})
        raise TransportError(f"SMTP refused the address ({', '.join(map(str, codes))})", permanent=True) from None
    except smtplib.SMTPResponseException as error:
        # 5xx: the server will not take it however often we try; 4xx: try again later. Either way it answered.
        raise TransportError(f"SMTP {error.smtp_code}", permanent=500 <= error.smtp_code < 600) from None
    except (smtplib.SMTPException, OSError) as error:
        # Broken during or after DATA with no answer: the server may have the message.
        if handed_over:
            raise TransportError(
                f"The SMTP connection broke while handing it over ({type(error).__name__})", outcome_unknown=True
            ) from None
        raise TransportError(f"Could not reach the SMTP server ({type(error).__name__})") from None
    if not sent:
        raise TransportError("The e-mail backend sent nothing", outcome_unknown=handed_over)
    return identifier
