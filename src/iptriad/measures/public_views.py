"""The client's own page: a self-report questionnaire opened from a link, with no login."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import client_ip
from iptriad.measures.definitions import definition as instrument
from iptriad.measures.forms import QuestionnaireForm
from iptriad.measures.services import LinkUnavailableError, self_report_link_for_token, self_report_submit
from iptriad.web.pages import render_form_page


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def self_report_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = self_report_link_for_token(token)
    except LinkUnavailableError as unavailable:
        return render(request, "measures/public_unavailable.html", {"reason": unavailable.reason}, status=404)
    definition = instrument(link.instrument_code)
    form = QuestionnaireForm(request.POST or None, definition=definition, clinician=False)
    if request.method == "POST" and form.is_valid():
        try:
            administration = self_report_submit(token=token, answers=form.answers(), ip_address=client_ip(request))
        except LinkUnavailableError as unavailable:
            return render(request, "measures/public_unavailable.html", {"reason": unavailable.reason}, status=409)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            context = {
                "organisation": link.organisation,
                # Straight after a positive self-harm answer, the client sees where to turn for help now.
                "show_crisis_contacts": bool(administration.critical_items),
            }
            return render(request, "measures/public_thanks.html", context)
    context = {"definition": definition, "form": form, "organisation": link.organisation}
    return render_form_page(request, "measures/public_questionnaire.html", context)
