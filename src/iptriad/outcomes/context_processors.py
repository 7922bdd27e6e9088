from __future__ import annotations

from django.http import HttpRequest

from iptriad.outcomes.session import is_programme_lead


def programme_lead(request: HttpRequest) -> dict[str, bool]:
    """Whether to offer the "Programmes" link in the header: from the session, no query."""
    return {"programme_lead": is_programme_lead(request)}
