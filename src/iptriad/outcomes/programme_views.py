"""The programme lead's pages: the programmes they lead, and one programme's outcomes dashboard across its
organisations (the organisation's dashboard, `iptriad.outcomes.pages`, for the programme's organisations), with
the aggregates CSV and the PDF report. Never a record, never the rows CSV: a lead is no member of these
organisations (iptriad.outcomes.access, docs/decisions/0042).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import client_ip
from iptriad.accounts.mfa import has_mfa
from iptriad.accounts.models import User
from iptriad.audit.models import AuditAction
from iptriad.outcomes import pages
from iptriad.outcomes.access import lead_needs_mfa, programme_led, programme_organisations, programmes_led
from iptriad.outcomes.programmes import programme_audit
from iptriad.outcomes.session import remember_programme_lead

View = Callable[..., HttpResponseBase]
READ = ["GET", "HEAD"]


def lead_view(view: View) -> View:
    """Signed in, past the authenticator step where a programme's organisation requires it (decision 0042), and
    never cached: the pages show figures about clinical care. Which programme is checked by the view."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not isinstance(user, User) or not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_verified():  # type: ignore[attr-defined]  # django-otp's middleware adds it
            # The MFA middleware sends anyone with an authenticator to its step already; a lead without one whose
            # programme's organisations require it is sent to set one up, as a supervisor there would be.
            target = "mfa-verify" if has_mfa(user) else "mfa-enrol" if lead_needs_mfa(user) else None
            if target is not None:
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        response = view(request, user, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper


@lead_view
@require_http_methods(READ)
def programme_list_page(request: HttpRequest, user: User) -> HttpResponse:
    programmes = [(programme, programme_organisations(programme)) for programme in programmes_led(user)]
    remember_programme_lead(request, bool(programmes))
    if not programmes:
        return render(request, "outcomes/programme_none.html", status=403)
    return render(request, "outcomes/programme_list.html", {"programmes": programmes})


def _audience(request: HttpRequest, user: User, slug: str) -> pages.OutcomesAudience:
    """The programme's organisations, if the person leads it (another's programme and a missing one: both 404)."""
    programme = programme_led(user, slug)
    if programme is None:
        raise Http404("No such programme.")
    organisations = programme_organisations(programme)

    def record(action: AuditAction, detail: dict[str, Any]) -> None:
        # Each organisation's chain says its aggregates were read, and by whom: its administrators see it.
        with transaction.atomic():
            programme_audit(
                programme=programme,
                action=action,
                organisations=organisations,
                user=user,
                ip_address=client_ip(request),
                detail=detail,
            )

    return pages.OutcomesAudience(
        organisations=organisations,
        base_url=reverse("programme-outcomes", args=[programme.slug]),
        may_download_rows=False,  # per-course data is for an organisation's supervisor; the URL is not even routed
        record=record,
        file_name=programme.slug,
        heading=f"Outcomes of {programme.name}",
        programme=programme.name,
        viewed=AuditAction.PROGRAMME_OUTCOMES_VIEWED,
        downloaded=AuditAction.PROGRAMME_OUTCOMES_EXPORTED,
    )


@lead_view
@require_http_methods(READ)
def programme_page(request: HttpRequest, user: User, slug: str) -> HttpResponse:
    return pages.render_outcomes(request, _audience(request, user, slug))


@lead_view
@require_http_methods(READ)
def programme_csv(request: HttpRequest, user: User, slug: str) -> HttpResponseBase:
    return pages.download_aggregates(request, _audience(request, user, slug))


@lead_view
@require_http_methods(READ)
def programme_pdf(request: HttpRequest, user: User, slug: str) -> HttpResponseBase:
    return pages.download_pdf(request, _audience(request, user, slug))


# Under /outcomes/programmes/ (iptriad.urls). The programme's downloads have the organisation's names but one:
# there is no rows CSV (pages.ROWS_CSV) for a programme.
urlpatterns = [
    path("", programme_list_page, name="programme-list"),
    path("<slug:slug>/", programme_page, name="programme-outcomes"),
    path(f"<slug:slug>/{pages.AGGREGATES_CSV}", programme_csv, name="programme-outcomes-csv"),
    path(f"<slug:slug>/{pages.REPORT_PDF}", programme_pdf, name="programme-outcomes-pdf"),
]
