"""The current organisation's outcomes dashboard and its downloads (iptriad.outcomes.permissions says who may)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import member_view
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.outcomes import pages
from iptriad.outcomes.permissions import ERROR_DENIED, ERROR_DENIED_ROWS, OutcomeAction, outcomes_policy

READ = ["GET", "HEAD"]


def _audience(actor: Actor, action: OutcomeAction) -> pages.OutcomesAudience:
    if not outcomes_policy.allows(actor, action):
        raise PermissionDenied(ERROR_DENIED_ROWS if action == OutcomeAction.DOWNLOAD_ROWS else ERROR_DENIED)

    def record(audit_action: AuditAction, detail: dict[str, Any]) -> None:
        audit_record(actor=actor, action=audit_action, detail=detail)

    return pages.OutcomesAudience(
        organisations=[actor.organisation],
        base_url=reverse("outcomes"),
        may_download_rows=outcomes_policy.allows(actor, OutcomeAction.DOWNLOAD_ROWS),
        record=record,
        file_name=actor.organisation.slug,
        heading=f"Outcomes of {actor.organisation.name}",
    )


@member_view
@require_http_methods(READ)
def outcomes_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    return pages.render_outcomes(request, _audience(actor, OutcomeAction.VIEW))


@member_view
@require_http_methods(READ)
def outcomes_csv(request: HttpRequest, actor: Actor) -> HttpResponseBase:
    return pages.download_aggregates(request, _audience(actor, OutcomeAction.DOWNLOAD))


@member_view
@require_http_methods(READ)
def outcome_rows_csv(request: HttpRequest, actor: Actor) -> HttpResponseBase:
    return pages.download_rows(request, _audience(actor, OutcomeAction.DOWNLOAD_ROWS))


@member_view
@require_http_methods(READ)
def outcomes_pdf(request: HttpRequest, actor: Actor) -> HttpResponseBase:
    return pages.download_pdf(request, _audience(actor, OutcomeAction.DOWNLOAD))


urlpatterns = [
    path("", outcomes_page, name="outcomes"),
    path(pages.AGGREGATES_CSV, outcomes_csv, name="outcomes-csv"),
    path(pages.ROWS_CSV, outcome_rows_csv, name="outcomes-rows-csv"),
    path(pages.REPORT_PDF, outcomes_pdf, name="outcomes-pdf"),
]
