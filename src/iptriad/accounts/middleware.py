"""Per-request sign-in state: session time limits, the current membership, and the MFA step."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from iptriad.accounts import session_times, signed_in
from iptriad.accounts.actors import client_ip
from iptriad.accounts.mfa import has_mfa, mfa_required_for
from iptriad.accounts.selectors import active_memberships, choose_membership
from iptriad.accounts.services import audit_auth_event
from iptriad.audit.models import AuditAction

SESSION_ORGANISATION_KEY = "iptriad_organisation_id"


class CurrentMembershipMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            memberships = active_memberships(user=user)
            membership = choose_membership(memberships, request.session.get(SESSION_ORGANISATION_KEY))
            request.membership = membership  # type: ignore[attr-defined]
            request.memberships = memberships  # type: ignore[attr-defined]
            if membership is not None:
                # Store UTC, show in the organisation's time zone.
                timezone.activate(zoneinfo.ZoneInfo(membership.organisation.time_zone))
                try:
                    response = self.get_response(request)
                finally:
                    timezone.deactivate()
                # Pages for members carry client data: no browser or proxy may keep a copy.
                add_never_cache_headers(response)
                return response
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """End a logged-in session after IPTRIAD_SESSION_IDLE_MINUTES idle or IPTRIAD_SESSION_AGE_SECONDS in all.

    The idle clock is stamped at most once a minute, so most requests write nothing (iptriad.accounts.session_times).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = session_times.expiry_reason(request.session)
            if reason is not None:
                audit_auth_event(
                    user=user,
                    action=AuditAction.SESSION_EXPIRED,
                    ip_address=client_ip(request),
                    detail={"reason": reason},
                )
                logout(request)  # flushes the stored session and gives the browser a new, empty one
                messages.info(request, SESSION_EXPIRED_MESSAGES.get(reason, SESSION_EXPIRED_MESSAGES["idle"]))
                if request.path_info.startswith(API_PREFIX):
                    return JsonResponse({"detail": "Your session has ended. Log in again."}, status=401)
                return redirect_to_login(request.get_full_path())
            session_times.touch(request.session)
            signed_in.follow(request)
        return self.get_response(request)


SESSION_EXPIRED_MESSAGES = {
    "idle": "You were logged out after a period without activity. Log in again to carry on.",
    "absolute": "Your session reached its maximum length. Log in again to carry on.",
    "unknown": "Your session has ended. Log in again to carry on.",
}

API_PREFIX = "/api/"

# Pages a half-signed-in user (password only) may reach: signing in, the MFA steps, what is not for members,
# and switching to another of their organisations (whose own policy then applies).
MFA_EXEMPT_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "password-reset",
        "password-reset-confirm",
        "mfa-verify",
        "mfa-enrol",
        "mfa-qr",
        "account-reauth",
        "organisation-switch",
        "health",
        "self-report",
        "messages-stop",
        "sms-inbound",
    }
)
ERROR_API_MFA = "Finish signing in with your authenticator code on the web page first, or use an API token."


class MfaRequiredMiddleware:
    """Until the session has passed an authenticator code, send members to the MFA step.

    A user with an authenticator app must always use it; a user without one is sent to set one up when their
    current organisation requires MFA of their role. API calls with a token are unaffected (the token is the
    credential); an API call riding on a half-signed-in session is refused.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in MFA_EXEMPT_URL_NAMES:
            return None
        is_api = request.path_info.startswith(API_PREFIX)
        if is_api and "authorization" in request.headers:
            return None
        if has_mfa(user):
            target = "mfa-verify"
        elif mfa_required_for(getattr(request, "membership", None)):
            target = "mfa-enrol"
        else:
            return None
        if is_api:
            return JsonResponse({"detail": ERROR_API_MFA}, status=401)
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
