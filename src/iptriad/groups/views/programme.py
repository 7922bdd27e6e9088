"""Programme counts: one group's, one site's (with a row per group) and the organisation's (with a row per site).

Every role that sees a group sees its counts: they are aggregates, with no one's name or answers. An administrator,
who sees no clinical content, is not shown a mean score over fewer than 5 members (iptriad.groups.selectors.programme).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import member_view
from iptriad.groups.models import Group, ProgrammeSite
from iptriad.groups.permissions import WHOLE_ORGANISATION_ROLES, GroupAction, group_policy
from iptriad.groups.selectors.programme import DEFINITIONS, FEW, counts_by, programme_counts


def _page(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    return render(request, template, {"definitions": DEFINITIONS, "few": FEW, **context})


@member_view
@require_http_methods(["GET", "HEAD"])
def programme_group_page(request: HttpRequest, actor: Actor, group_id: int) -> HttpResponse:
    groups = group_policy.scope(actor, GroupAction.VIEW, Group.objects.all())
    group = get_object_or_404(groups.select_related("site"), pk=group_id)
    counts = programme_counts(actor, Group.objects.filter(pk=group.pk))
    return _page(request, "groups/programme_group.html", {"group": group, "counts": counts})


@member_view
@require_http_methods(["GET", "HEAD"])
def programme_site_page(request: HttpRequest, actor: Actor, site_id: int) -> HttpResponse:
    visible = group_policy.scope(actor, GroupAction.VIEW, Group.objects.all())
    sites = ProgrammeSite.objects.filter(organisation_id=actor.organisation.pk)
    if actor.role not in WHOLE_ORGANISATION_ROLES:  # a therapist or facilitator sees the sites of their groups
        sites = sites.filter(pk__in=visible.values("site_id"))
    site = get_object_or_404(sites, pk=site_id)
    groups = visible.filter(site=site)
    by_group = counts_by(actor, groups, "group_id")
    rows = [{"group": group, "counts": by_group.get(group.pk)} for group in groups.order_by("-starts_on", "name")]
    counts = programme_counts(actor, groups)
    return _page(request, "groups/programme_site.html", {"site": site, "rows": rows, "counts": counts})


@member_view
@require_http_methods(["GET", "HEAD"])
def programme_all_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    groups = group_policy.scope(actor, GroupAction.VIEW, Group.objects.all())
    by_site = counts_by(actor, groups, "group__site_id")
    sites = {site.pk: site for site in ProgrammeSite.objects.filter(organisation_id=actor.organisation.pk)}
    named = [(sites.get(key) if key else None, row) for key, row in by_site.items()]
    named.sort(key=lambda pair: (pair[0] is None, pair[0].name if pair[0] else ""))
    rows = [{"site": site, "counts": row} for site, row in named]
    counts = programme_counts(actor, groups)
    return _page(request, "groups/programme_all.html", {"rows": rows, "counts": counts})


urlpatterns: list[URLPattern] = [
    path("programme/", programme_all_page, name="groups_programme_all"),
    path("sites/<int:site_id>/", programme_site_page, name="groups_site"),
    path("<int:group_id>/programme/", programme_group_page, name="groups_programme"),
]
