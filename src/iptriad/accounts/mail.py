"""E-mail to a person about their own account (an address to confirm, a password to reset), from the task queue.

Callers call `account_mail_send` once their change commits. It only enqueues: a worker sends, so the page never
waits on the mail server, an SMTP failure after the commit is not shown as a failure of a change that was made,
and the worker tries again after 1, 2, 4, 8 and 16 minutes (Huey's retries). The body carries a link that is a
credential for a while, so it travels through the queue (a SQLite file or Redis) encrypted with the clinical text's
keys, and no log line ever holds the address, subject or body: only the reason a send failed.

These mails are not rows of the notifications outbox: that app sits above accounts, and an account mail needs no
message log (its request is audited by the caller). A queue lost before the mail went loses the mail; the person
asks again.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from iptriad.encryption.cipher import DecryptionError, decrypt, encrypt
from iptriad.encryption.fields import active_keyring
from iptriad.tasks import huey

logger = logging.getLogger(__name__)

# The associated data of the sealed body: a value sealed for anything else does not open here.
SEALED_IDENTITY = "accounts.account_mail.body"
RETRIES = 5
RETRY_DELAY_SECONDS = 60
RETRY_BACKOFF = 2


class AccountMailNotSent(Exception):  # noqa: N818 - what happened, as the log shows it
    """A send that may work later; its message is the reason only (no address, no body), for the log."""


def account_mail_send(*, to: str, subject: str, body: str) -> None:
    """Queue the e-mail once the current transaction commits (at once outside one): a rollback sends nothing."""
    sealed = encrypt(body, identity=SEALED_IDENTITY, keyring=active_keyring())
    transaction.on_commit(lambda: _enqueue(to, subject, sealed))


def _enqueue(to: str, subject: str, sealed: str) -> None:
    try:
        account_mail_task(to, subject, sealed)
    except Exception as error:  # the change is made; say why the mail is not coming, without its content
        logger.error("Could not queue an account e-mail (%s); the person must ask again", type(error).__name__)


def account_mail_deliver(to: str, subject: str, sealed: str) -> None:
    """Send one account e-mail now. Raises AccountMailNotSent when trying again may help."""
    try:
        body = decrypt(sealed, identity=SEALED_IDENTITY, keyring=active_keyring())
    except DecryptionError as error:  # the key it was sealed with is gone: nothing can send it any more
        logger.error("Account e-mail dropped: %s", error)
        return
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        codes = sorted({code for code, _ in error.recipients.values()})
        logger.error("Account e-mail refused by the SMTP server (%s); not tried again", codes)
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600:  # a permanent refusal: trying again cannot mend it
            logger.error("Account e-mail refused: SMTP %s; not tried again", error.smtp_code)
            return
        raise AccountMailNotSent(f"SMTP {error.smtp_code}") from None
    except (smtplib.SMTPException, OSError) as error:
        # `from None`: the worker logs this exception's traceback, and the chained one could quote the server.
        raise AccountMailNotSent(f"could not reach the SMTP server ({type(error).__name__})") from None


# Huey is untyped: the task wrapper is Any. Retries wait 1, 2, 4, 8 and 16 minutes.
account_mail_task: Any = huey.task(
    retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS, retry_backoff=RETRY_BACKOFF, name="accounts.account_mail_send"
)(account_mail_deliver)
