"""Refused anonymous requests are rate-limited: past a limit a minute, an address is answered 429 at once.

The refusals are counted per source and minute for the audit trail already (iptriad.audit.refusals, decision
0033), in a table every app server shares. Once an address (anyone not signed in, a bogus bearer token included)
has been refused IPTRIAD_REFUSAL_LIMIT_PER_MINUTE times in the current minute, its further requests are answered
429 with Retry-After (the seconds left in the minute) before any view runs: no token lookup, no refusal. Each
429 is still counted (the audit middleware records it), so the minute's summary keeps the whole flood.

Reading the count costs no query: each process knows the shared total it last wrote back plus what it counted
since (refusals_seen). Signed-in members are never limited (their refusals are bounded in the audit only), and
health checks, self-report links, stop links and the login and password-reset pages always get through: a client
answering a questionnaire must, and so must staff signing in from an address a flood shares.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from iptriad.accounts.actors import client_ip
from iptriad.audit.refusals import Refusal, refusals_seen

# Never limited: the load balancer's health check, the links a client opens without an account, and signing in
# (a flood from a shared address, a clinic's network say, must not keep its staff from logging in: the login and
# reset pages are guarded by the lockout and their own throttle instead).
EXEMPT_URL_NAMES: Final = frozenset(
    {"health", "self-report", "messages-stop", "login", "password-reset", "password-reset-confirm"}
)
API_PREFIX: Final = "/api/"
MESSAGE: Final = "Too many refused requests from your address. Try again in {seconds} seconds."
# Set on the 429 so the audit middleware counts it as a refusal (an axes lockout's 429 is not one).
MARK: Final = "iptriad_refusal_limited"


class RefusalLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.REFUSAL_LIMIT_PER_MINUTE
        if limit:
            now = timezone.now()
            source = Refusal(user=None, organisation=None, ip_address=client_ip(request)).source
            seen, window_end = refusals_seen(source=source, now=now)
            # The cheap test first: an ordinary request stops at the count (no query, no URL resolution).
            if seen >= limit and not _exempt(request) and not _signed_in(request):
                return _too_many(request, retry_after=max(1, math.ceil((window_end - now).total_seconds())))
        return self.get_response(request)


def _exempt(request: HttpRequest) -> bool:
    try:
        return resolve(request.path_info).url_name in EXEMPT_URL_NAMES
    except Resolver404:
        return False


def _signed_in(request: HttpRequest) -> bool:
    # The session middlewares above have already loaded the user of a signed-in request: no query added.
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _too_many(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    message = MESSAGE.format(seconds=retry_after)
    response: HttpResponse
    if request.path_info.startswith(API_PREFIX):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    setattr(response, MARK, True)
    return response
