"""The supervisor's dashboard pages: everyone worst first, and one person's flagged cases."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import member_view
from iptriad.flags.dashboard.cache import dashboard_built
from iptriad.flags.dashboard.permissions import dashboard_policy
from iptriad.flags.dashboard.rows import case_rows
from iptriad.flags.dashboard.selectors import CASES_PER_PERSON, person_dashboard


@member_view
@require_http_methods(["GET", "HEAD"])
def dashboard_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    if not dashboard_policy.allows(actor):
        raise PermissionDenied("Your role may not see the supervision dashboard.")
    built = dashboard_built(actor)
    context = {"dashboard": built.board, "sections_html": built.sections_html, "cases_per_person": CASES_PER_PERSON}
    return render(request, "flags/dashboard.html", context)


@member_view
@require_http_methods(["GET", "HEAD"])
def person_page(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    # Another organisation's member, or (for a therapist or facilitator) anyone but themselves: 404, as absent.
    person = person_dashboard(actor=actor, membership_id=membership_id)
    return render(request, "flags/dashboard_person.html", {"person": person, "rows": case_rows(person.cases)})


urlpatterns = [
    path("", dashboard_page, name="supervision-dashboard"),
    path("people/<int:membership_id>/", person_page, name="supervision-dashboard-person"),
]
