"""Who is acting: passed as one `actor` to every service and selector."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from iptriad.accounts.models import Membership, Organisation, Role, User


@dataclass(frozen=True)
class Actor:
    """A member acting in their current organisation, from a page, the API or the CLI."""

    user: User | None  # None for an operator's command-line action
    organisation: Organisation
    role: Role
    ip_address: str | None = None

    @classmethod
    def for_membership(cls, membership: Membership, ip_address: str | None = None) -> Actor:
        return cls(
            user=membership.user,
            organisation=membership.organisation,
            role=Role(membership.role),
            ip_address=ip_address,
        )

    @classmethod
    def operator(cls, organisation: Organisation) -> Actor:
        """An operator at the command line, who has shell access and so every right."""
        return cls(user=None, organisation=organisation, role=Role.ADMIN, ip_address=None)

    def member(self) -> User:
        """The acting member; an operator at the command line cannot do what only a member may."""
        if self.user is None:
            raise PermissionDenied("Only a member of the organisation can do this, not the command line.")
        return self.user

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None else None


def client_ip(request: HttpRequest) -> str | None:
    """The address a request came from, for the audit trail.

    Behind a TLS-terminating proxy (IPTRIAD_BEHIND_PROXY) the peer is the proxy, which appends the real
    client's address to X-Forwarded-For: only that last entry is trusted, the rest is client-supplied.
    """
    if settings.BEHIND_PROXY:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass  # absent or not an address: fall back to the peer, never store a made-up value
    return str(request.META.get("REMOTE_ADDR", "")) or None


def actor_from_request(request: HttpRequest) -> Actor:
    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        raise LookupError("the request has no current membership")
    return Actor.for_membership(membership, ip_address=client_ip(request))
