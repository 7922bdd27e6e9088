"""TEMPORARY, on the gsetup branch only: the URL names other parts of group IPT own (a session's roster, a member's
page, the programme counts, outreach done), answering 404 until those parts are merged. The lead deletes this file
(and its line in groups/urls.py) at the merge."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


def _not_built_yet(request: HttpRequest, **kwargs: int) -> HttpResponse:
    raise Http404("This page is built by another part of group IPT.")


urlpatterns = [
    path("sessions/<int:session_id>/", _not_built_yet, name="groups_session"),
    path("members/<int:member_id>/", _not_built_yet, name="groups_member"),
    path("<int:group_id>/programme/", _not_built_yet, name="groups_programme"),
    path("outreach/<int:task_id>/done/", _not_built_yet, name="groups_outreach_done"),
]
