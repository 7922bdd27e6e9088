"""The client's own page: a self-report questionnaire opened from a link, with no login.

Whatever the post (incomplete, on a link withdrawn or expired, sent twice), a positive critical answer in it is kept
with its alert and the client sees the crisis contacts (docs/clinical-safety.md, "Self-report answers that carry
risk").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import client_ip
from iptriad.core.instruments import Instrument
from iptriad.measures.definitions import definition as instrument
from iptriad.measures.forms import QuestionnaireForm
from iptriad.measures.models import SelfReportLink
from iptriad.measures.notices import alert_notice
from iptriad.measures.services import (
    LinkUnavailableError,
    SelfReportOutcome,
    self_report_link_critical,
    self_report_link_inactive_reason,
    self_report_link_lookup,
    self_report_receive,
)

INACTIVE_STATUS = 410  # the link existed and can no longer be answered; 404 is for a link that never was


def _said(definition: Instrument, critical: Sequence[int]) -> list[str]:
    """What the client answered, item by item, in the plain words the instrument's data gives each critical item."""
    said = []
    for number in critical:
        rule = definition.item(number).critical
        said.append(rule.client_wording if rule is not None and rule.client_wording else "")
    return [words for words in said if words]


def _crisis(link: SelfReportLink, definition: Instrument, critical: Sequence[int]) -> dict[str, Any]:
    # After a positive critical answer, the client sees where to turn for help now, whatever else happened, and
    # who will see the answer and when (the organisation's own escalation delay).
    return {
        "organisation": link.organisation,
        "show_crisis_contacts": bool(critical),
        "said": _said(definition, critical),
        "who_is_told": alert_notice(link) if critical else [],
    }


def _thanks(
    request: HttpRequest, link: SelfReportLink, definition: Instrument, critical: Sequence[int]
) -> HttpResponse:
    return render(request, "measures/public_thanks.html", _crisis(link, definition, critical))


def _no_longer_active(
    request: HttpRequest, link: SelfReportLink, definition: Instrument, reason: str, critical: Sequence[int]
) -> HttpResponse:
    context = {**_crisis(link, definition, critical), "reason": reason}
    return render(request, "measures/public_inactive.html", context, status=INACTIVE_STATUS)


def _questionnaire(
    request: HttpRequest, link: SelfReportLink, definition: Instrument, form: QuestionnaireForm, critical: Sequence[int]
) -> HttpResponse:
    context = {**_crisis(link, definition, critical), "definition": definition, "form": form}
    status = 400 if form.errors else 200
    return render(request, "measures/public_questionnaire.html", context, status=status)


def _held_initial(link: SelfReportLink) -> dict[str, str]:
    """The answers kept from an incomplete form, to fill it in again when the client comes back to the link."""
    return {
        f"item_{number}": str(position)
        for number, position in enumerate(link.held_answers, start=1)
        if position is not None
    }


# The link's single-use token in the address is the credential: a forged post would need the token, which is all
# CSRF would protect, and a phone that blocks cookies must still be able to send its answers (docs/decisions/0028).
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def self_report_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = self_report_link_lookup(token)
    except LinkUnavailableError as unavailable:
        return render(request, "measures/public_unavailable.html", {"reason": unavailable.reason}, status=404)
    definition = instrument(link.instrument_code)
    if request.method == "POST":
        form = QuestionnaireForm(request.POST, definition=definition, clinician=False)
        form.is_valid()  # the answers given are kept even when some are missing
        try:
            receipt = self_report_receive(token=token, answers=form.answers(), ip_address=client_ip(request))
        except ValidationError as error:  # answers that do not fit the instrument: nothing could be read
            form.add_error(None, error)
            return _questionnaire(request, link, definition, form, ())
        if receipt.outcome == SelfReportOutcome.COMPLETED:
            return _thanks(request, receipt.link, definition, receipt.critical)
        if receipt.outcome == SelfReportOutcome.INACTIVE:
            return _no_longer_active(request, receipt.link, definition, receipt.reason, receipt.critical)
        return _questionnaire(request, receipt.link, definition, form, receipt.critical)
    if link.used_at is not None:
        return _thanks(request, link, definition, self_report_link_critical(link))
    reason = self_report_link_inactive_reason(link)
    if reason is not None:
        return _no_longer_active(request, link, definition, reason, self_report_link_critical(link))
    form = QuestionnaireForm(initial=_held_initial(link), definition=definition, clinician=False)
    return _questionnaire(request, link, definition, form, self_report_link_critical(link))
