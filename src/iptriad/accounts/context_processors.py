from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def membership(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "membership", None)
    if current is None:
        return {"membership": None, "memberships": []}
    # Loaded with the current membership by CurrentMembershipMiddleware: the switcher costs no query.
    return {"membership": current, "memberships": getattr(request, "memberships", [])}
