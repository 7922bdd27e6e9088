"""Page helpers shared by every app's views."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

M = TypeVar("M", bound=Model)

# The hidden field of a creating form that carries its idempotency key ({% once_key %}, iptriad.accounts.once).
ONCE_FIELD = "once_key"


# The most digits an id typed into a URL or a form may have: a 64-bit key has at most 19; fewer keeps int() and the
# database's integers in range.
ID_DIGITS_MAX = 18


def id_from_text(raw: str | None) -> int | None:
    """An id sent as text (a query string, a form field), or None for anything else. ASCII digits only:
    str.isdigit() also accepts "²", which int() refuses (a 500 from a crafted link)."""
    if not raw or not (raw.isascii() and raw.isdigit()) or len(raw) > ID_DIGITS_MAX:
        return None
    return int(raw)


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


def render_form_page(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A form's page: 400 when a POST comes back to it with something to fix, 200 when it is first shown."""
    return render(request, template, context, status=400 if request.method == "POST" else 200)


@contextmanager
def errors_on(form: BaseForm, field: str | None = None, *, above: Collection[str] = ()) -> Iterator[None]:
    """A service's ValidationError ends the block and goes onto the form, just as `form.add_error(field, error)`."""
    # A dict's keys go onto the fields they name (each must be one of the form's, or be listed in `above`: a thing
    # the service checks that the form does not ask for, such as the client a course is opened for, whose message
    # goes above the fields); a message or a list goes onto `field`, or above the fields when it is None.
    try:
        yield
    except ValidationError as error:
        if not above or not hasattr(error, "error_dict"):
            form.add_error(field, error)
            return
        for name, errors in error.error_dict.items():
            form.add_error(None if name in above else name, errors)


@contextmanager
def errors_as_messages(request: HttpRequest) -> Iterator[None]:
    """A service's ValidationError ends the block as error messages, one per problem: for actions with no form."""
    try:
        yield
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
