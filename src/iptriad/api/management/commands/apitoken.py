"""`iptriad apitoken create|revoke|list`: personal API tokens, managed by an operator at the command line."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Organisation
from iptriad.accounts.selectors import user_by_email
from iptriad.api.selectors import api_token_by_prefix, api_tokens_of_organisation
from iptriad.api.services import TOKEN_DAYS_DEFAULT, TOKEN_DAYS_MAX, api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "Create, revoke and list personal API tokens (Authorization: Bearer <token> on /api/v1)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="command", required=True)
        create = commands.add_parser("create", help="Create a token for a member; it is printed once.")
        create.add_argument("email", help="The member's e-mail address")
        create.add_argument("--org", required=True, help="The organisation's slug: the token acts only there")
        create.add_argument("--name", required=True, help="What the token is for, e.g. 'outcomes export'")
        create.add_argument(
            "--days", type=int, default=TOKEN_DAYS_DEFAULT, help=f"Days until it expires (1 to {TOKEN_DAYS_MAX})"
        )
        revoke = commands.add_parser("revoke", help="Revoke a token by the first 8 characters shown by list.")
        revoke.add_argument("prefix")
        listing = commands.add_parser("list", help="List an organisation's tokens (never the tokens themselves).")
        listing.add_argument("--org", required=True, help="The organisation's slug")

    def handle(self, *args: Any, **options: Any) -> None:
        {"create": self._create, "revoke": self._revoke, "list": self._list}[options["command"]](options)

    def _organisation(self, slug: str) -> Organisation:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            raise CommandError(f"No organisation has the slug {slug!r}.")
        return organisation

    def _create(self, options: dict[str, Any]) -> None:
        organisation = self._organisation(options["org"])
        user = user_by_email(email=options["email"])
        if user is None:
            raise CommandError(f"No account has the e-mail address {options['email']!r}.")
        try:
            api_token, token = api_token_create(
                actor=Actor.operator(organisation), user=user, name=options["name"], days=options["days"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        expires = timezone.localtime(api_token.expires_at).strftime("%Y-%m-%d %H:%M %Z")
        self.stdout.write(f"Token for {user.email} in {organisation.name}, valid until {expires}:")
        self.stdout.write(token)
        self.stdout.write("Copy it now: it is not stored and cannot be shown again.")

    def _revoke(self, options: dict[str, Any]) -> None:
        api_token = api_token_by_prefix(options["prefix"])
        if api_token is None:
            raise CommandError(f"No token starts with {options['prefix']!r}.")
        try:
            api_token_revoke(actor=Actor.operator(api_token.organisation), api_token=api_token)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"Revoked {api_token.prefix} ({api_token.name}) of {api_token.user.email}.")

    def _list(self, options: dict[str, Any]) -> None:
        organisation = self._organisation(options["org"])
        tokens = list(api_tokens_of_organisation(organisation=organisation))
        if not tokens:
            self.stdout.write(f"{organisation.name} has no API tokens.")
            return
        self.stdout.write(f"{'prefix':<9} {'status':<8} {'expires':<11} {'last used':<11} {'member':<30} name")
        for api_token in tokens:
            last_used = timezone.localdate(api_token.last_used_at).isoformat() if api_token.last_used_at else "never"
            expires = timezone.localdate(api_token.expires_at).isoformat()
            self.stdout.write(
                f"{api_token.prefix:<9} {api_token.status:<8} {expires:<11} "
                f"{last_used:<11} {api_token.user.email:<30} {api_token.name}"
            )
