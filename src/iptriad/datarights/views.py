"""A client's data rights, for the organisation's administrators: download everything, or erase it.

Downloads carry `Cache-Control: no-store` like every member's page (iptriad.accounts.middleware).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, member_view
from iptriad.datarights.export import client_fhir_export, client_json_export, document_chunks, export_filename
from iptriad.datarights.forms import ErasureForm
from iptriad.datarights.selectors import client_data_viewed, client_for_data_rights, has_open_risk_alert, record_counts
from iptriad.datarights.services import client_erase
from iptriad.measures.export import json_chunks
from iptriad.web.pages import errors_on, render_form_page

JSON = "application/json; charset=utf-8"
FHIR_JSON = "application/fhir+json; charset=utf-8"


@member_view
@require_http_methods(["GET", "HEAD"])
def client_data_page(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_for_data_rights(actor=actor, client_id=client_id, action=Action.EXPORT)
    client_data_viewed(actor=actor, client=client)
    context = {
        "client": client,
        "counts": record_counts(client=client),
        "open_alert": has_open_risk_alert(client=client),
    }
    return render(request, "datarights/client_data.html", context)


@member_view
@require_GET  # not HEAD: every request builds and audits an export
def client_json_download(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_for_data_rights(actor=actor, client_id=client_id, action=Action.EXPORT)
    document = client_json_export(actor=actor, client=client)
    return _attachment("".join(document_chunks(document)), JSON, export_filename(client, timezone.localdate(), "json"))


@member_view
@require_GET
def client_fhir_download(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_for_data_rights(actor=actor, client_id=client_id, action=Action.EXPORT)
    export = client_fhir_export(actor=actor, client=client)
    filename = export_filename(client, timezone.localdate(), "fhir.json")
    return _attachment("".join(json_chunks(export.bundle)), FHIR_JSON, filename)


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
