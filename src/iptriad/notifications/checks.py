"""System checks: a production server whose e-mail only goes to the log would lose every alert e-mail."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register()
def email_configured(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.PRODUCTION and settings.EMAIL_URL.backend == "console":
        return [
            Warning(
                "IPTRIAD_EMAIL_URL is console://: risk-alert and self-report e-mails are written to the log, not sent.",
                hint="Set IPTRIAD_EMAIL_URL to your SMTP server (docs/operators/notifications.md).",
                id="iptriad.N001",
            )
        ]
    return []
