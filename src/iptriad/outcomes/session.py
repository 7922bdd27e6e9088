"""Whether the signed-in person leads a programme, kept in their session so that the header's "Programmes" link
costs no query on every page. Set at login, refreshed by the programmes page; the pages themselves always read
the programme's leads afresh (iptriad.outcomes.access), so a stale flag shows a link, never a figure."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from iptriad.outcomes.access import leads_a_programme

SESSION_PROGRAMME_LEAD_KEY = "iptriad_programme_lead"


def remember_programme_lead(request: HttpRequest, leads: bool) -> None:
    if request.session.get(SESSION_PROGRAMME_LEAD_KEY, False) != leads:
        request.session[SESSION_PROGRAMME_LEAD_KEY] = leads


def is_programme_lead(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(SESSION_PROGRAMME_LEAD_KEY, False))


@receiver(user_logged_in, dispatch_uid="iptriad_programme_lead_on_login")
def note_programme_lead(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Every login (the form, or a test's force_login) notes whether the person leads a programme."""
    if request is not None and hasattr(request, "session"):
        remember_programme_lead(request, leads_a_programme(kwargs["user"]))
