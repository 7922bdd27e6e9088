"""Attach the user's current membership (and so organisation and role) to every request."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from iptriad.accounts.selectors import membership_current

SESSION_ORGANISATION_KEY = "iptriad_organisation_id"


class CurrentMembershipMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.membership = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            membership = membership_current(
                user=user,
                organisation_id=request.session.get(SESSION_ORGANISATION_KEY),
            )
            request.membership = membership  # type: ignore[attr-defined]
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
