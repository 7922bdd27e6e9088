"""`iptriad sendtestmail EMAIL`: send one e-mail now with the configured IPTRIAD_EMAIL_URL, to check it works."""

from __future__ import annotations

import smtplib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email


class Command(BaseCommand):
    help = "Send a test e-mail straight away (not through the queue) with the configured SMTP settings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", help="Where to send the test message.")

    def handle(self, *args: Any, **options: Any) -> None:
        address = options["email"]
        try:
            validate_email(address)
        except ValidationError:
            raise CommandError(f"{address!r} is not an e-mail address") from None
        smtp = settings.EMAIL_BACKEND.endswith("smtp.EmailBackend")
        where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}" if smtp else f"the {settings.EMAIL_BACKEND} backend"
        mail = EmailMessage(
            subject="iptriad test message",
            body="This is a test message from iptriad: the e-mail settings work.",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        try:
            with get_connection(fail_silently=False) as connection:
                connection.send_messages([mail])
        except smtplib.SMTPResponseException as error:
            raise CommandError(f"The SMTP server at {where} refused: {error.smtp_code}") from None
        except (smtplib.SMTPException, OSError) as error:
            raise CommandError(f"Could not send through {where}: {type(error).__name__}: {error}") from None
        self.stdout.write(f"Sent a test message to {address} through {where}.")
