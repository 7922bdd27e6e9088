"""The programme lead's pages: the programmes they lead, and one programme's outcome aggregates across its
organisations, with a breakdown by organisation (or any other) and the aggregates as CSV. Never a record, never the
rows CSV: a lead is no member of these organisations (iptriad.outcomes.access).

The programme page renders the report with a template of its own (outcomes/programme.html) until the organisation
dashboard's rendering can be shared; the figures are the same `outcome_report` over the programme's organisations.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import client_ip
from iptriad.accounts.mfa import has_mfa
from iptriad.accounts.models import Organisation, User
from iptriad.audit.models import AuditAction
from iptriad.core.metrics import COUNT_DEFINITIONS, SUPPRESS_BELOW, CohortCounts, rates, shown_count
from iptriad.outcomes.access import lead_needs_mfa, programme_led, programme_organisations, programmes_led
from iptriad.outcomes.exports import aggregates_csv
from iptriad.outcomes.models import Programme
from iptriad.outcomes.programme_forms import ProgrammeReportForm
from iptriad.outcomes.programmes import programme_audit
from iptriad.outcomes.report import PROGRAMME_BREAKDOWNS, OutcomeReport, outcome_report
from iptriad.outcomes.session import remember_programme_lead

View = Callable[..., HttpResponseBase]

# The counts each breakdown row shows (the overall table shows every count with its definition).
ROW_COUNTS = ("contexts", "finished", "at_caseness", "recovered", "reliable_improvement", "reliable_deterioration")
COUNT_LABELS = {
    "contexts": "Ended in the period",
    "reached": "Reached",
    "completed": "Completed",
    "finished": "Finished",
    "at_caseness": "At caseness at the start",
    "not_at_caseness": "Not at caseness at the start",
    "recovered": "Recovered",
    "reliable_improvement": "Reliable improvement",
    "reliable_deterioration": "Reliable deterioration",
    "reliable_recovery": "Reliable recovery",
    "paired": "Paired scores",
    "missing_end_score": "Missing end score",
    "missed_sessions": "Sessions missed",
    "phq9_end_at_most_4_reached": "PHQ-9 at most 4 at the end, of reached",
    "phq9_end_under_10_reached": "PHQ-9 under 10 at the end, of reached",
    "phq9_end_at_most_4_completed": "PHQ-9 at most 4 at the end, of completed",
    "phq9_end_under_10_completed": "PHQ-9 under 10 at the end, of completed",
}


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
@require_http_methods(["GET", "HEAD"])
def programme_list_page(request: HttpRequest, user: User) -> HttpResponse:
    programmes = [(programme, programme_organisations(programme)) for programme in programmes_led(user)]
    remember_programme_lead(request, bool(programmes))
    if not programmes:
        return render(request, "outcomes/programme_none.html", status=403)
    return render(request, "outcomes/programme_list.html", {"programmes": programmes})


def _led(user: User, slug: str) -> tuple[Programme, list[Organisation]]:
    programme = programme_led(user, slug)
    if programme is None:  # another's programme and a missing one alike
        raise Http404("No such programme.")
    return programme, programme_organisations(programme)


def _report(form: ProgrammeReportForm, organisations: list[Organisation]) -> OutcomeReport:
    return outcome_report(
        organisations,
        start=form.cleaned_data["start"],
        end=form.cleaned_data["end"],
        by=form.cleaned_data["by"] or None,
        programme=True,
    )


def _audited(
    request: HttpRequest,
    user: User,
    programme: Programme,
    organisations: list[Organisation],
    action: AuditAction,
    form: ProgrammeReportForm,
) -> None:
    period = {
        name: (form.cleaned_data[name].isoformat() if form.cleaned_data[name] else None) for name in ("start", "end")
    }
    programme_audit(
        programme=programme,
        action=action,
        organisations=organisations,
        user=user,
        ip_address=client_ip(request),
        detail={**period, "by": form.cleaned_data["by"] or None},
    )


@lead_view
@require_http_methods(["GET", "HEAD"])
def programme_page(request: HttpRequest, user: User, slug: str) -> HttpResponse:
    programme, organisations = _led(user, slug)
    form = ProgrammeReportForm(request.GET)
    context: dict[str, Any] = {"programme": programme, "organisations": organisations, "form": form}
    if not form.is_valid():
        return render(request, "outcomes/programme.html", context, status=400)
    report = _report(form, organisations)
    with transaction.atomic():
        # Each organisation's chain says its aggregates were read, by whom: its administrators see it.
        _audited(request, user, programme, organisations, AuditAction.PROGRAMME_OUTCOMES_VIEWED, form)
    context |= {"report": report, "tables": report_tables(report), "csv_query": request.GET.urlencode()}
    return render(request, "outcomes/programme.html", context)


@lead_view
@require_http_methods(["GET", "HEAD"])
def programme_aggregates_csv(request: HttpRequest, user: User, slug: str) -> HttpResponseBase:
    """The aggregates only, suppressed as on the page; the one download a lead has."""
    programme, organisations = _led(user, slug)
    form = ProgrammeReportForm(request.GET)
    if not form.is_valid():
        return HttpResponse("Choose a valid period and breakdown.", status=400, content_type="text/plain")
    report = _report(form, organisations)
    with transaction.atomic():
        _audited(request, user, programme, organisations, AuditAction.PROGRAMME_OUTCOMES_EXPORTED, form)
    response = StreamingHttpResponse(aggregates_csv(report, suppress=True), content_type="text/csv; charset=utf-8")
    period = f"{report.start or 'start'}-to-{report.end or 'now'}"
    filename = f"iptriad-outcomes-{programme.slug}-{period}-v{report.metrics_version}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ---------------------------------------------------------------------------------------------------------------
# What the template shows: every figure already as text ("fewer than 5" where suppressed).
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    label: str
    shown: str
    meaning: str


@dataclass(frozen=True)
class BreakdownLine:
    label: str
    cells: list[tuple[str, str]]  # (column, shown)
    recovery_rate: str


@dataclass(frozen=True)
class ReportTables:
    counts: list[Figure]
    rates: list[Figure]
    breakdown_label: str
    columns: list[str]
    lines: list[BreakdownLine]
    suppressed_below: int


def _rate_text(value: float | None) -> str:
    return "not shown" if value is None else f"{value:.1%}"


def _recovery_rate(counts: CohortCounts) -> str:
    rate = next(rate for rate in rates(counts, suppress=True) if rate.key == "recovery_rate")
    return _rate_text(rate.value)


def report_tables(report: OutcomeReport) -> ReportTables:
    overall = report.overall
    return ReportTables(
        counts=[
            Figure(
                COUNT_LABELS[name],
                shown_count(getattr(overall, name)),
                COUNT_DEFINITIONS.get(name, ""),
            )
            for name in CohortCounts.count_names()
        ],
        rates=[Figure(rate.label, _rate_text(rate.value), rate.formula) for rate in rates(overall, suppress=True)],
        breakdown_label=PROGRAMME_BREAKDOWNS.get(report.by or "", ""),
        columns=[COUNT_LABELS[name] for name in ROW_COUNTS],
        lines=[
            BreakdownLine(
                label=row.label,
                cells=[(COUNT_LABELS[name], shown_count(getattr(row.counts, name))) for name in ROW_COUNTS],
                recovery_rate=_recovery_rate(row.counts),
            )
            for row in report.rows
        ],
        suppressed_below=SUPPRESS_BELOW,
    )
