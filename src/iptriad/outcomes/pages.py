"""The outcomes dashboard and its downloads for any set of organisations, whoever the reader.

A view checks who may read what, then describes its reader's report as an `OutcomesAudience` and hands the request
to one of the four functions below. The organisation's own pages (`iptriad.outcomes.views`) pass the current
organisation; a programme lead's pages (`iptriad.outcomes.programme_views`) pass their programme's organisations,
with their own base URL, audit events (in each organisation's chain) and no rows download; their report may also be
broken down by organisation, and opens so. Each function reads the period and breakdown from the query string (bad
input: the page's form errors, or 400 for a download), runs the report (a fixed number of queries) and records the
read.

Under ``base_url`` the downloads live at fixed names: ``outcomes.csv``, ``outcome-rows.csv``, ``report.pdf``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from iptriad.accounts.models import Organisation
from iptriad.audit.models import AuditAction
from iptriad.core.metrics import METRICS_VERSION
from iptriad.outcomes.exports import aggregates_csv, export_filename, rows_csv
from iptriad.outcomes.forms import ReportChoice, ReportChoiceForm, report_choice_form
from iptriad.outcomes.pdf import render_report_pdf
from iptriad.outcomes.permissions import ERROR_DENIED_ROWS
from iptriad.outcomes.presentation import figures
from iptriad.outcomes.report import OutcomeReport, outcome_report
from iptriad.web.replica import replica_reads, streamed_in_this_context

AGGREGATES_CSV = "outcomes.csv"
ROWS_CSV = "outcome-rows.csv"
REPORT_PDF = "report.pdf"
CSV = "text/csv; charset=utf-8"
R = TypeVar("R", bound=HttpResponseBase)

# What an audit event of a read or download says: the figures' scope, never a figure.
Recorder = Callable[[AuditAction, dict[str, Any]], None]


@dataclass(frozen=True)
class OutcomesAudience:
    """Whose outcomes a page shows, where it lives, what its reader may take away, and how a read is recorded."""

    organisations: Sequence[Organisation]
    base_url: str  # the dashboard's path, ending in "/"; the downloads are relative to it
    may_download_rows: bool
    record: Recorder  # writes one audit event (action, detail)
    file_name: str  # who the downloads' file names say the figures are of: an organisation's or programme's slug
    heading: str = "Outcomes"
    # A programme's report: several organisations, which it may be broken down by (and is, by default).
    programme: str | None = None  # the programme's name
    viewed: AuditAction = AuditAction.OUTCOMES_VIEWED
    downloaded: AuditAction = AuditAction.OUTCOMES_DOWNLOADED
    context: dict[str, Any] = field(default_factory=dict)  # more for the template


def _choice_or_errors(request: HttpRequest, audience: OutcomesAudience) -> tuple[ReportChoiceForm, ReportChoice | None]:
    form = report_choice_form(request.GET, timezone.localdate(), programme=audience.programme is not None)
    return form, form.choice() if form.is_valid() else None


def _report(audience: OutcomesAudience, choice: ReportChoice) -> OutcomeReport:
    # The report's reads may come from the replica (the reader's access was checked on the primary).
    with replica_reads():
        return outcome_report(
            audience.organisations,
            start=choice.start,
            end=choice.end,
            by=choice.by,
            programme=audience.programme is not None,
        )


def _detail(audience: OutcomesAudience, choice: ReportChoice, **more: Any) -> dict[str, Any]:
    return {
        "organisations": [organisation.pk for organisation in audience.organisations],
        "from": None if choice.start is None else choice.start.isoformat(),
        "to": None if choice.end is None else choice.end.isoformat(),
        "by": choice.by,
        "metrics_version": METRICS_VERSION,
        **more,
    }


def render_outcomes(request: HttpRequest, audience: OutcomesAudience) -> HttpResponse:
    """The dashboard: the form, and the figures of a valid choice (a choice refused: its errors, no figures)."""
    form, choice = _choice_or_errors(request, audience)
    context: dict[str, Any] = {
        "form": form,
        "audience": audience,
        "figures": None,
        **audience.context,
    }
    if choice is not None:
        context["figures"] = figures(_report(audience, choice))
        query = choice.query()
        context["downloads"] = {
            "aggregates": f"{audience.base_url}{AGGREGATES_CSV}?{query}",
            "rows": f"{audience.base_url}{ROWS_CSV}?{query}" if audience.may_download_rows else None,
            "pdf": f"{audience.base_url}{REPORT_PDF}?{query}",
        }
        audience.record(audience.viewed, _detail(audience, choice))
    return render(request, "outcomes/dashboard.html", context)


def _refused(form: ReportChoiceForm) -> HttpResponse:
    messages = [str(message) for errors in form.errors.values() for message in errors]
    return HttpResponseBadRequest(
        "This report cannot be made: " + " ".join(messages), content_type="text/plain; charset=utf-8"
    )


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str) -> HttpResponseBase:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _streamed_csv(lines: Iterator[str], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type=CSV)
    _attachment(response, filename)
    return response


def download_aggregates(request: HttpRequest, audience: OutcomesAudience) -> HttpResponseBase:
    """The report's counts and rates as CSV, overall and by the breakdown, suppressed as on the page."""
    form, choice = _choice_or_errors(request, audience)
    if choice is None:
        return _refused(form)
    report = _report(audience, choice)
    audience.record(audience.downloaded, _detail(audience, choice, file="aggregates.csv"))
    filename = export_filename("outcomes", audience.file_name, choice.start, choice.end)
    return _streamed_csv(aggregates_csv(report), filename)


def download_rows(request: HttpRequest, audience: OutcomesAudience) -> HttpResponseBase:
    """One de-identified line per treatment context of the period, streamed (the breakdown does not apply)."""
    if not audience.may_download_rows:
        raise PermissionDenied(ERROR_DENIED_ROWS)
    form, choice = _choice_or_errors(request, audience)
    if choice is None:
        return _refused(form)
    audience.record(audience.downloaded, _detail(audience, choice, file="rows.csv"))
    filename = export_filename("outcome-rows", audience.file_name, choice.start, choice.end)
    with replica_reads():
        # The rows are read while the server streams them: each chunk in this context, so from the replica too.
        lines = streamed_in_this_context(rows_csv(audience.organisations, start=choice.start, end=choice.end))
    return _streamed_csv(lines, filename)


def download_pdf(request: HttpRequest, audience: OutcomesAudience) -> HttpResponseBase:
    """The report for a board or funder as a PDF: the figures, a chart per rate, the definitions."""
    form, choice = _choice_or_errors(request, audience)
    if choice is None:
        return _refused(form)
    report = _report(audience, choice)
    audience.record(audience.downloaded, _detail(audience, choice, file="report.pdf"))
    filename = export_filename("outcomes", audience.file_name, choice.start, choice.end).removesuffix(".csv")
    return _attachment(
        HttpResponse(render_report_pdf(report, programme=audience.programme), content_type="application/pdf"),
        f"{filename}.pdf",
    )
