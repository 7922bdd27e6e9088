"""The home page, which differs by role, and the error pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import member_view
from iptriad.web.home import home_context

HOME_TEMPLATES = {
    Role.ADMIN: "web/home_admin.html",
    Role.SUPERVISOR: "web/home_supervisor.html",
    Role.THERAPIST: "web/home_therapist.html",
    Role.FACILITATOR: "web/home_facilitator.html",
}


@member_view
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    template = HOME_TEMPLATES[actor.role]
    return render(request, template, home_context(actor))


def health(request: HttpRequest) -> HttpResponse:
    """For load balancers: answers without touching the session or the database."""
    return HttpResponse("ok", content_type="text/plain")
