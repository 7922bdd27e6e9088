"""The API refuses plain HTTP instead of redirecting it (ASVS 4.1.2).

A browser follows a redirect to HTTPS and is safe from then on; an API client that sent its bearer token over
plain HTTP has already leaked it, and a redirect would hide the mistake by making the call work. So in production
(where SECURE_SSL_REDIRECT sends browser pages on to HTTPS) an API call over plain HTTP is answered 403 with the
reason, and the client's developer sees it on the first try.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
REFUSAL = "The API answers over HTTPS only: call it at an https:// address (a token sent over HTTP may have leaked)."


class RefusePlainHttpApiMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SECURE_SSL_REDIRECT and request.path.startswith(API_PREFIX) and not request.is_secure():
            return JsonResponse({"detail": REFUSAL}, status=403)
        return self.get_response(request)
