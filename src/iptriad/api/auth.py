"""Who is calling the API: a personal token (`Authorization: Bearer ...`) or the logged-in session.

Both give the same `Actor` the pages use (Actor.for_membership, with the client's address), stored on
`request.auth`; endpoints read it with `actor_of(request)`. A token acts with its member's CURRENT role: the
membership is read again on every request, so a changed role applies at once and a deactivated membership (or
user) gets 401. The session needs CSRF on unsafe methods, as the pages do; a token does not (a browser never
sends it by itself). A request that carries an Authorization header is judged by its token alone, never by a
session cookie beside it.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from iptriad.accounts.actors import Actor, client_ip
from iptriad.api.selectors import api_token_for_secret, membership_for_token
from iptriad.api.services import api_token_touch

ERROR_CREDENTIALS = "The token is missing, malformed, expired, revoked, or its member is no longer active."
ERROR_CSRF = "CSRF check failed: send the X-CSRFToken header with the CSRF cookie's value."
ERROR_NO_MEMBERSHIP = "You are not an active member of any organisation."
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Marks a request whose organisation time zone this module activated, so the API deactivates it afterwards.
TIME_ZONE_FLAG = "_iptriad_api_time_zone"


def actor_of(request: HttpRequest) -> Actor:
    """The Actor the authentication put on the request (every operation but the schema requires one)."""
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):
        raise AuthenticationError()
    return actor


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>`: a personal API token (iptriad apitoken create)."""

    def __call__(self, request: HttpRequest) -> Actor | None:
        header = request.headers.get(self.header)
        if header is None:
            return None  # not a token request: the session may answer
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationError(message=ERROR_CREDENTIALS)
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Actor:
        api_token = api_token_for_secret(token)
        if api_token is None or api_token.revoked_at is not None or api_token.expires_at <= timezone.now():
            raise AuthenticationError(message=ERROR_CREDENTIALS)
        membership = membership_for_token(api_token)
        if membership is None:
            raise AuthenticationError(message=ERROR_CREDENTIALS)
        api_token_touch(api_token=api_token)
        # The session middleware does this for pages; a token request has no session to go by.
        timezone.activate(zoneinfo.ZoneInfo(membership.organisation.time_zone))
        setattr(request, TIME_ZONE_FLAG, True)
        return Actor.for_membership(membership, ip_address=client_ip(request))


class SessionAuth(APIKeyCookie):
    """The logged-in session of the pages (their htmx calls), with CSRF enforced on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Actor | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(403, ERROR_CSRF)
        if getattr(request, "membership", None) is None:
            raise HttpError(403, ERROR_NO_MEMBERSHIP)
        return self.authenticate(request, None)

    def authenticate(self, request: HttpRequest, key: Any) -> Actor:
        # CurrentMembershipMiddleware chose the membership (the session's organisation, still active).
        return Actor.for_membership(request.membership, ip_address=client_ip(request))  # type: ignore[attr-defined]


AUTH = [TokenAuth(), SessionAuth()]
