from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from iptriad.accounts.selectors import memberships_of_user


def membership(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "membership", None)
    user = getattr(request, "user", None)
    if current is None or user is None:
        return {"membership": None, "memberships": []}
    # Lazy: only pages that show the organisation switcher pay for the query.
    return {
        "membership": current,
        "memberships": SimpleLazyObject(lambda: list(memberships_of_user(user=user))),
    }
