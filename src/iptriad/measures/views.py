"""Measures pages for clinicians: a client's measures, recording, self-report links, risk alerts and the FHIR
download. A treatment context's own measures pages (a course's charts and schedule) are its app's."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor
from iptriad.accounts.once import submitted_once
from iptriad.accounts.permissions import Action, member_view, require
from iptriad.clients.models import Client
from iptriad.core.instruments import Instrument, UnknownInstrumentError
from iptriad.core.instruments.model import Scoring
from iptriad.measures.definitions import definition as instrument
from iptriad.measures.export import client_fhir_export, json_chunks
from iptriad.measures.forms import (
    AlertCloseForm,
    ConcernForm,
    LinkForm,
    QuestionnaireForm,
    RecordChoiceForm,
    SocialRhythmForm,
)
from iptriad.measures.permissions import alert_policy
from iptriad.measures.sections import alert_sections, client_measures_sections
from iptriad.measures.selectors import (
    administration_get,
    administrations_for_client,
    alert_get,
    alerts_for_client,
    client_for_measures,
    client_measures_viewed,
    kept_answers,
    link_get,
    links_for_client,
    occasion_for_measures,
    open_alerts,
)
from iptriad.measures.services import (
    administration_record,
    risk_alert_acknowledge,
    risk_alert_close,
    risk_alert_open_concern,
    self_report_link_create,
    self_report_link_revoke,
    social_rhythm_record,
)
from iptriad.web.pages import errors_as_messages, errors_on, render_form_page

SESSION_NEW_LINK = "iptriad_new_self_report_link"
FHIR_JSON = "application/fhir+json; charset=utf-8"


@member_view
@require_http_methods(["GET", "HEAD"])
def client_measures_page(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_for_measures(actor=actor, client_id=client_id)
    client_measures_viewed(actor=actor, client=client)
    alerts = alerts_for_client(actor=actor, client=client)
    context = {
        "client": client,
        # The treatment contexts' own parts, such as the progress in the current IPT course.
        "sections": client_measures_sections.contexts(actor, client),
        "administrations": list(administrations_for_client(actor=actor, client=client)[:50]),
        "links": links_for_client(actor=actor, client=client),
        "alerts": alerts.open,
        "closed_alerts": alerts.closed,
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
    if definition.scoring == Scoring.SOCIAL_RHYTHM:
        return _social_rhythm_page(request, actor, client, definition)
    occasion = occasion_for_measures(actor=actor, client=client, occasion_id=request.GET.get("occasion"))
    form = QuestionnaireForm(request.POST or None, definition=definition, clinician=True)
    with submitted_once(request, actor) as once:  # sent twice, one administration and one alert (issue 16, item 1)
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form):
                administration = administration_record(
                    actor=actor,
                    client=client,
                    code=definition.code,
                    answers=form.answers(),
                    occasion=occasion.occasion if occasion is not None else None,
                )
                if administration.alerting_items:
                    messages.warning(
                        request, "A risk item was answered positively: a risk alert is open for this client."
                    )
                if administration.critical_history:
                    messages.info(
                        request,
                        "A lifetime risk item was answered positively again; its alert was raised earlier in this "
                        "course, so it is recorded as history.",
                    )
                messages.success(request, f"{definition.short_name} recorded.")
                return once.done(redirect("measures-administration", administration_id=administration.pk))
    context = {"client": client, "definition": definition, "form": form, "occasion": occasion}
    return render_form_page(request, "measures/record.html", context)


def _social_rhythm_page(request: HttpRequest, actor: Actor, client: Client, definition: Instrument) -> HttpResponse:
    form = SocialRhythmForm(request.POST or None, definition=definition)
    with submitted_once(request, actor) as once:
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form):
                administration = social_rhythm_record(
                    actor=actor, client=client, week_start=form.cleaned_data["week_start"], week=form.week()
                )
                messages.success(request, f"{definition.short_name} week recorded.")
                return once.done(redirect("measures-administration", administration_id=administration.pk))
    context = {"client": client, "definition": definition, "form": form}
    return render_form_page(request, "measures/social_rhythm.html", context)


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
        # A count item stores the number given where other items store the printed position.
        chosen = item.options[answer.position] if answer.position is not None and not item.is_count else None
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
    with errors_as_messages(request):
        link, token = self_report_link_create(
            actor=actor, client=client, code=form.cleaned_data["instrument"], valid_days=form.cleaned_data["valid_days"]
        )
        # Shown once on the next page, then forgotten: only the hash is stored.
        request.session[SESSION_NEW_LINK] = {"link": link.pk, "token": token}
        return redirect("measures-link-sent", link_id=link.pk)
    return redirect("measures-client", client_id=client.pk)


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
    with submitted_once(request, actor) as once:  # sent twice, one alert (issue 16, item 1)
        if once.replay is not None:
            return once.replay
        if once.refusal is not None:
            messages.error(request, once.refusal)
        elif form.is_valid():
            with errors_as_messages(request):
                alert = risk_alert_open_concern(actor=actor, client=client, concern=form.cleaned_data["concern"])
                messages.warning(request, "A risk alert is open. Record the assessment and the action taken.")
                return once.done(redirect("alert-detail", alert_id=alert.pk))
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
    # Opening the page is seeing the alert: it stops escalating (docs/clinical-safety.md, "Alerts reach a person").
    risk_alert_acknowledge(actor=actor, alert=alert)
    form = AlertCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            risk_alert_close(actor=actor, alert=alert, **form.cleaned_data)
            messages.success(request, "The alert is closed with the assessment and the action recorded.")
            return redirect("alert-detail", alert_id=alert.pk)
    context = {
        "alert": alert,
        "form": form,
        "kept_answers": kept_answers(alert),
        # What the apps above add, such as who was told of the alert and when (notifications).
        "sections": alert_sections.contexts(actor, alert),
    }
    return render_form_page(request, "measures/alert_detail.html", context)


@member_view
@require_http_methods(["GET", "HEAD"])
def fhir_export_download(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    """Every administration of the client as a FHIR R4 Bundle, downloaded as a file."""
    client = client_for_measures(actor=actor, client_id=client_id)
    export = client_fhir_export(actor=actor, client=client)
    response = HttpResponse("".join(json_chunks(export.bundle)), content_type=FHIR_JSON)
    response["Content-Disposition"] = f'attachment; filename="iptriad-client-{client.pk}-measures.fhir.json"'
    return response
