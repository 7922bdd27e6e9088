"""The client's stop page (from the link in every message), the SMS gateway's inbound webhook (STOP), and the
response-rate report of scheduled links."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor, client_ip
from iptriad.accounts.models import Role
from iptriad.accounts.permissions import Action, member_view, require
from iptriad.notifications.link_selectors import response_report, response_report_policy
from iptriad.notifications.optout import (
    VIA_LINK,
    client_for_stop_token,
    messages_stop,
    sms_stop,
    twilio_signature_valid,
)
from iptriad.web.widgets import DateInput

STOP_NOT_FOUND = "This link is not valid. Check you copied all of it, or ask your therapist to stop the messages."
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


# No CSRF cookie, as on the questionnaire (docs/decisions/0028): a phone that blocks cookies must still be able to
# stop the messages; the token in the path is what a forged post would lack.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def messages_stop_page(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm (a link scanner or preview that opens it stops nothing); POST records the opt-out."""
    client = client_for_stop_token(token)
    if client is None:
        return render(request, "notifications/stop_unavailable.html", {"reason": STOP_NOT_FOUND}, status=404)
    context = {"organisation": client.organisation}
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":  # a post without the page's button is no confirmation
            return render(request, "notifications/stop_confirm.html", context, status=400)
        messages_stop(client=client, via=VIA_LINK, ip_address=client_ip(request))
        return render(request, "notifications/stop_done.html", context)
    if client.messages_opted_out_at is not None:
        return render(request, "notifications/stop_done.html", context)
    return render(request, "notifications/stop_confirm.html", context)


@csrf_exempt  # the gateway posts without a session; the HMAC signature is the check
@require_POST
def sms_inbound_webhook(request: HttpRequest) -> HttpResponse:
    """Twilio's incoming-message webhook: STOP (or another opt-out word) from a number iptriad sent SMS to opts
    those clients out. A request without the right X-Twilio-Signature is refused with 403 and changes nothing."""
    auth_token = settings.SMS_URL.auth_token if settings.SMS_URL.backend == "twilio" else ""
    url = f"{settings.SITE_URL}{request.get_full_path()}"
    params = {name: request.POST.getlist(name) for name in request.POST}
    if not twilio_signature_valid(auth_token, url, params, request.headers.get("X-Twilio-Signature", "")):
        return HttpResponse("Forbidden: bad signature.", status=403, content_type="text/plain")
    sms_stop(sender=request.POST.get("From", ""), body=request.POST.get("Body", ""), ip_address=client_ip(request))
    # An empty reply: Twilio answers STOP itself, and iptriad says nothing a phone's other reader could see.
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


REPORT_DEFAULT_DAYS = 90
ERROR_PERIOD = "The period ends before it starts."


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", required=False, widget=DateInput())
    end = forms.DateField(label="To (inclusive)", required=False, widget=DateInput())

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise forms.ValidationError(ERROR_PERIOD)
        return data


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@member_view
@require_http_methods(["GET", "HEAD"])
def response_report_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The response rate of scheduled links in a period (the last 90 days unless chosen), by channel and measure."""
    require(response_report_policy, actor, Action.LIST)
    today = timezone.localdate()
    default = {"start": today - dt.timedelta(days=REPORT_DEFAULT_DAYS), "end": today}
    form = PeriodForm(request.GET or default)
    period = form.cleaned_data if form.is_valid() else default  # a period refused: the form says why
    start, end = period.get("start"), period.get("end")
    report = response_report(
        actor=actor,
        start=_day_start(start) if start else None,
        end=_day_start(end + dt.timedelta(days=1)) if end else None,
    )
    context = {
        "form": form,
        "report": report,
        "tables": [("By channel", report.by_channel), ("By measure", report.by_measure)],
        "scope_all": actor.role in (Role.ADMIN, Role.SUPERVISOR),
    }
    return render(request, "notifications/response_report.html", context)


urlpatterns: list[URLPattern] = [
    path("messages/response/", response_report_page, name="message-response"),
    path("m/<str:token>/stop/", messages_stop_page, name="messages-stop"),
    path("sms/inbound/", sms_inbound_webhook, name="sms-inbound"),
]
