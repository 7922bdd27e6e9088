"""Measures pages for clinicians: a client's measures, recording, self-report links, and risk alerts."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, member_view, require
from iptriad.core.instruments import UnknownInstrumentError, instrument
from iptriad.measures.forms import AlertCloseForm, ConcernForm, LinkForm, QuestionnaireForm, RecordChoiceForm
from iptriad.measures.permissions import alert_policy
from iptriad.measures.selectors import (
    administration_get,
    administrations_for_client,
    alert_get,
    client_for_measures,
    closed_alerts_for_client,
    link_get,
    links_for_client,
    open_alerts,
    session_for_measures,
)
from iptriad.measures.services import (
    administration_record,
    risk_alert_close,
    risk_alert_open_concern,
    self_report_link_create,
    self_report_link_revoke,
)

SESSION_NEW_LINK = "iptriad_new_self_report_link"


@member_view
@require_http_methods(["GET", "HEAD"])
def client_measures_page(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_for_measures(actor=actor, client_id=client_id)
    context = {
        "client": client,
        "administrations": list(administrations_for_client(actor=actor, client=client)[:50]),
        "links": links_for_client(actor=actor, client=client),
        "alerts": list(open_alerts(actor=actor, client=client)),
        "closed_alerts": list(closed_alerts_for_client(actor=actor, client=client)[:10]),
        # Distinct ids: three forms on one page must not share an element id (labels would point elsewhere).
        "record_form": RecordChoiceForm(auto_id="record_%s"),
        "link_form": LinkForm(auto_id="link_%s"),
        "concern_form": ConcernForm(auto_id="concern_%s"),
    }
    return render(request, "measures/client_measures.html", context)


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def measure_record_page(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_for_measures(actor=actor, client_id=client_id, action=Action.CREATE)
    try:
        definition = instrument(request.GET.get("instrument", ""))
    except UnknownInstrumentError:
        messages.error(request, "Choose a measure to record.")
        return redirect("measures-client", client_id=client.pk)
    session = session_for_measures(actor=actor, client=client, session_id=request.GET.get("session"))
    form = QuestionnaireForm(request.POST or None, definition=definition, clinician=True)
    if request.method == "POST" and form.is_valid():
        try:
            administration = administration_record(
                actor=actor, client=client, code=definition.code, answers=form.answers(), session=session
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if administration.critical_items:
                messages.warning(request, "A risk item was answered positively: a risk alert is open for this client.")
            messages.success(request, f"{definition.short_name} recorded.")
            return redirect("measures-administration", administration_id=administration.pk)
    status = 400 if request.method == "POST" else 200
    context = {"client": client, "definition": definition, "form": form, "session": session}
    return render(request, "measures/record.html", context, status=status)


@member_view
@require_http_methods(["GET", "HEAD"])
def administration_page(request: HttpRequest, actor: Actor, administration_id: int) -> HttpResponse:
    administration = administration_get(actor=actor, administration_id=administration_id)
    definition = instrument(administration.instrument_code)
    answers = {answer.item_number: answer for answer in administration.answers.all()}
    rows = []
    for item in definition.items:
        answer = answers.get(item.number)
        if answer is None:
            continue  # a trailing question the form did not ask
        chosen = item.options[answer.position] if answer.position is not None else None
        rows.append({"item": item, "answer": answer, "text": item.text or f"Item {item.number}", "chosen": chosen})
    context = {"administration": administration, "definition": definition, "rows": rows}
    return render(request, "measures/administration.html", context)


@member_view
@require_POST
def link_create_action(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_for_measures(actor=actor, client_id=client_id, action=Action.CREATE)
    form = LinkForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("measures-client", client_id=client.pk)
    try:
        link, token = self_report_link_create(
            actor=actor, client=client, code=form.cleaned_data["instrument"], valid_days=form.cleaned_data["valid_days"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("measures-client", client_id=client.pk)
    # Shown once on the next page, then forgotten: only the hash is stored.
    request.session[SESSION_NEW_LINK] = {"link": link.pk, "token": token}
    return redirect("measures-link-sent", link_id=link.pk)


@member_view
@require_http_methods(["GET", "HEAD"])
def link_sent_page(request: HttpRequest, actor: Actor, link_id: int) -> HttpResponse:
    link = link_get(actor=actor, link_id=link_id, action=Action.VIEW)
    new = request.session.pop(SESSION_NEW_LINK, None)
    url = None
    if new and new.get("link") == link.pk:
        url = request.build_absolute_uri(reverse("self-report", kwargs={"token": new["token"]}))
    context = {"link": link, "url": url, "definition": instrument(link.instrument_code)}
    return render(request, "measures/link_sent.html", context)


@member_view
@require_POST
def link_revoke_action(request: HttpRequest, actor: Actor, link_id: int) -> HttpResponse:
    link = link_get(actor=actor, link_id=link_id, action=Action.UPDATE)
    self_report_link_revoke(actor=actor, link=link)
    messages.success(request, "The link was withdrawn; it can no longer be answered.")
    return redirect("measures-client", client_id=link.client_id)


@member_view
@require_POST
def alert_raise_action(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_for_measures(actor=actor, client_id=client_id, action=Action.CREATE)
    form = ConcernForm(request.POST)
    if form.is_valid():
        try:
            alert = risk_alert_open_concern(actor=actor, client=client, concern=form.cleaned_data["concern"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.warning(request, "A risk alert is open. Record the assessment and the action taken.")
            return redirect("alert-detail", alert_id=alert.pk)
    else:
        messages.error(request, "Say what the concern is.")
    return redirect("measures-client", client_id=client.pk)


@member_view
@require_http_methods(["GET", "HEAD"])
def alert_list_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    require(alert_policy, actor, Action.LIST)
    return render(request, "measures/alert_list.html", {"alerts": list(open_alerts(actor=actor)[:200])})


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def alert_detail_page(request: HttpRequest, actor: Actor, alert_id: int) -> HttpResponse:
    alert = alert_get(actor=actor, alert_id=alert_id)
    form = AlertCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            risk_alert_close(actor=actor, alert=alert, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "The alert is closed with the assessment and the action recorded.")
            return redirect("alert-detail", alert_id=alert.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "measures/alert_detail.html", {"alert": alert, "form": form}, status=status)
