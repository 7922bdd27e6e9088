"""TEMPORARY (branch gmembers only): the group page is built by another part; until it is merged, its URL name
answers with a bare page (404 outside the actor's groups) so the member pages can link to it. The lead deletes this
module, its template and its matrix row at merge."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import member_view
from iptriad.groups.models import Group
from iptriad.groups.permissions import GroupAction, group_policy


@member_view
def group_detail_placeholder(request: HttpRequest, actor: Actor, group_id: int) -> HttpResponse:
    group = group_policy.scope(actor, GroupAction.VIEW, Group.objects.filter(pk=group_id)).first()
    if group is None:
        raise Http404("No such group.")
    return render(request, "groups/member_placeholder_group.html", {"group": group})


urlpatterns = [path("<int:group_id>/", group_detail_placeholder, name="groups_detail")]
