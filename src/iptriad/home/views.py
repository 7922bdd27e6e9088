"""The home page, which differs by role."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from iptriad.accounts.actors import Actor
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import member_view
from iptriad.home.selectors import home_context

HOME_TEMPLATES = {
    Role.ADMIN: "home/home_admin.html",
    Role.SUPERVISOR: "home/home_supervisor.html",
    Role.THERAPIST: "home/home_therapist.html",
    Role.FACILITATOR: "home/home_facilitator.html",
}


@member_view
def home(request: HttpRequest, actor: Actor) -> HttpResponse:
    template = HOME_TEMPLATES[actor.role]
    return render(request, template, home_context(actor))
