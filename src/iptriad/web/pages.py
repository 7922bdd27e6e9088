"""Page helpers shared by every app's views."""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

M = TypeVar("M", bound=Model)


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], *, partial: str | None = None
) -> HttpResponse:
    """The whole page, or only its `partial` when htmx asks for a fragment to swap in."""
    if partial is not None and is_htmx(request):
        return render(request, partial, context)
    return render(request, template, context)


def paginate(request: HttpRequest, queryset: QuerySet[M], per_page: int | None = None) -> Page[M]:
    """A page of the queryset; a page number that is not a number or out of range gives the nearest page."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))
