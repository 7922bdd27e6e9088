"""Programme counts: one group's, one site's (with a row per group) and the organisation's (with a row per site).

Every role that sees a group sees its counts: they are aggregates, with no one's name or answers. An administrator,
who sees no clinical content, is not shown a mean score over fewer than 5 members (iptriad.groups.selectors.programme).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import member_view
from iptriad.groups.selectors.programme import (
    DEFINITIONS,
    FEW,
    all_counts_page,
    group_counts_page,
    site_counts_page,
)


def _page(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    return render(request, template, {"definitions": DEFINITIONS, "few": FEW, **context})


@member_view
@require_http_methods(["GET", "HEAD"])
def programme_group_page(request: HttpRequest, actor: Actor, group_id: int) -> HttpResponse:
    page = group_counts_page(actor=actor, group_id=group_id)
    return _page(request, "groups/programme_group.html", {"group": page.group, "counts": page.counts})


@member_view
@require_http_methods(["GET", "HEAD"])
def programme_site_page(request: HttpRequest, actor: Actor, site_id: int) -> HttpResponse:
    page = site_counts_page(actor=actor, site_id=site_id)
    return _page(request, "groups/programme_site.html", {"site": page.site, "rows": page.rows, "counts": page.counts})


@member_view
@require_http_methods(["GET", "HEAD"])
def programme_all_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = all_counts_page(actor=actor)
    return _page(request, "groups/programme_all.html", {"rows": page.rows, "counts": page.counts})


urlpatterns: list[URLPattern] = [
    path("programme/", programme_all_page, name="groups_programme_all"),
    path("sites/<int:site_id>/", programme_site_page, name="groups_site"),
    path("<int:group_id>/programme/", programme_group_page, name="groups_programme"),
]
