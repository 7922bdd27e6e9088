"""The home page, which differs by role."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import member_view
from iptriad.home.selectors import home_context
from iptriad.outcomes.access import leads_a_programme

HOME_TEMPLATES = {
    Role.ADMIN: "home/home_admin.html",
    Role.SUPERVISOR: "home/home_supervisor.html",
    Role.THERAPIST: "home/home_therapist.html",
    Role.FACILITATOR: "home/home_facilitator.html",
}


def home(request: HttpRequest) -> HttpResponse:
    """Where a login lands. A programme lead who is no member of any organisation has only their programmes."""
    if (
        request.user.is_authenticated
        and getattr(request, "membership", None) is None
        and leads_a_programme(request.user)
    ):
        return redirect("programme-list")
    return _member_home(request)


@member_view
def _member_home(request: HttpRequest, actor: Actor) -> HttpResponse:
    template = HOME_TEMPLATES[actor.role]
    return render(request, template, home_context(actor))
