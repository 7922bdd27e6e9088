"""A client's data rights, for the organisation's administrators: download everything, or erase it.

Downloads carry `Cache-Control: no-store` like every member's page (iptriad.accounts.middleware).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, member_view
from iptriad.clients.models import Client
from iptriad.datarights.export import client_fhir_export, client_json_export, document_chunks, export_filename
from iptriad.datarights.forms import ErasureForm, ExportRequestForm
from iptriad.datarights.models import ExportFormat
from iptriad.datarights.selectors import (
    client_data_viewed,
    client_for_data_rights,
    export_request_of_requester,
    export_request_to_decide,
    export_requests_of_client,
    export_requests_to_decide,
    has_open_risk_alert,
    record_counts,
)
from iptriad.datarights.services import (
    client_erase,
    export_request_create,
    export_request_decide,
    export_request_use,
)
from iptriad.measures.export import json_chunks
from iptriad.web.pages import errors_as_messages, errors_on, render_form_page

JSON = "application/json; charset=utf-8"
FHIR_JSON = "application/fhir+json; charset=utf-8"


@member_view
@require_http_methods(["GET", "HEAD"])
def client_data_page(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_for_data_rights(actor=actor, client_id=client_id, action=Action.EXPORT)
    client_data_viewed(actor=actor, client=client)
    return _client_data(request, actor, client, ExportRequestForm())


def _client_data(request: HttpRequest, actor: Actor, client: Client, form: ExportRequestForm) -> HttpResponse:
    context = {
        "client": client,
        "form": form,
        "export_requests": export_requests_of_client(client=client),
        "counts": record_counts(client=client),
        "open_alert": has_open_risk_alert(client=client),
    }
    return render_form_page(request, "datarights/client_data.html", context)


@member_view
@require_POST
def export_request_action(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    """An administrator asks for an export, with a reason; a clinician approves it before the file is made."""
    client = client_for_data_rights(actor=actor, client_id=client_id, action=Action.EXPORT)
    form = ExportRequestForm(request.POST)
    if form.is_valid():
        with errors_on(form):
            export_request_create(actor=actor, client=client, **form.cleaned_data)
            messages.success(
                request,
                "The export is requested. A supervisor or the client's therapist approves it; you can then "
                "download it here once, within 24 hours.",
            )
            return redirect("datarights-client", client_id=client.pk)
    return _client_data(request, actor, client, form)


@member_view
@require_GET  # not HEAD: every download makes and audits the export
def export_download(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    """The approved export, made now, for the administrator who asked: once, within the download window."""
    export_request = export_request_of_requester(actor=actor, request_id=request_id)
    client = client_for_data_rights(actor=actor, client_id=export_request.client_id, action=Action.EXPORT)
    with errors_as_messages(request), transaction.atomic():
        export_request_use(actor=actor, request=export_request)
        today = timezone.localdate()
        if export_request.export_format == ExportFormat.FHIR:
            bundle = client_fhir_export(actor=actor, client=client).bundle
            return _attachment("".join(json_chunks(bundle)), FHIR_JSON, export_filename(client, today, "fhir.json"))
        document = client_json_export(actor=actor, client=client)
        return _attachment("".join(document_chunks(document)), JSON, export_filename(client, today, "json"))
    return redirect("datarights-client", client_id=client.pk)


@member_view
@require_http_methods(["GET", "HEAD"])
def export_approvals_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """A supervisor's or therapist's list of the export requests waiting for their approval."""
    return render(request, "datarights/export_approvals.html", {"requests": export_requests_to_decide(actor=actor)})


@member_view
@require_POST
def export_decide_action(request: HttpRequest, actor: Actor, request_id: int) -> HttpResponse:
    export_request = export_request_to_decide(actor=actor, request_id=request_id)
    approve = request.POST.get("decision") == "approve"
    if request.POST.get("decision") not in ("approve", "refuse"):
        messages.error(request, "Choose to approve or to refuse the export.")
        return redirect("datarights-approvals")
    with errors_as_messages(request):
        export_request_decide(actor=actor, request=export_request, approve=approve)
        messages.success(request, "The export is approved." if approve else "The export is refused.")
    return redirect("datarights-approvals")


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def client_erase_page(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_for_data_rights(actor=actor, client_id=client_id, action=Action.ERASE)
    form = ErasureForm(request.POST or None, client=client)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            erasure = client_erase(
                actor=actor, client=client, reason=form.cleaned_data["reason"], reference=form.cleaned_data["reference"]
            )
            # No name in the message: it is kept in the session until shown.
            messages.success(request, f"Client {erasure.client_id} was erased: {erasure.total} records removed.")
            return redirect("client-list")
    context = {
        "client": client,
        "form": form,
        "counts": record_counts(client=client),
        "open_alert": has_open_risk_alert(client=client),
    }
    return render_form_page(request, "datarights/client_erase.html", context)


def _attachment(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
