"""The health endpoint; the role home pages are in iptriad.home, above the apps they gather."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers: answers without touching the session or the database."""
    return HttpResponse("ok", content_type="text/plain")
