"""TEMPORARY (branch gmembers only): the group page is built by another part; until it is merged, its URL name
answers 404 so the member pages can link to it. The lead deletes this module at merge."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import member_view


@member_view
def group_detail_placeholder(request: HttpRequest, actor: Actor, group_id: int) -> HttpResponse:
    raise Http404("The group page is not built yet.")


urlpatterns = [path("<int:group_id>/", group_detail_placeholder, name="groups_detail")]
