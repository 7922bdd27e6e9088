"""E-mail to a person about their own account, through Django's configured e-mail backend.

One small function, so that sending can later go through the notifications outbox (the task queue) without
touching the callers. It is called on commit: a change rolled back sends nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail


def account_mail_send(*, to: str, subject: str, body: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=False)
