"""Client pages: list with search, detail, create, edit, archive and reactivate."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, member_view, require
from iptriad.clients.forms import ClientForm, ClientSearchForm
from iptriad.clients.permissions import client_policy
from iptriad.clients.sections import client_record_sections
from iptriad.clients.selectors import client_get, client_get_for_view, client_list, client_list_record_viewed
from iptriad.clients.services import client_archive, client_create, client_reactivate, client_update
from iptriad.web.pages import errors_as_messages, errors_on, paginate, render_form_page, render_page


@member_view
@require_http_methods(["GET", "HEAD"])
def client_list_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    require(client_policy, actor, Action.LIST)
    search = ClientSearchForm(request.GET)
    query, status = "", "active"
    if search.is_valid():
        query = search.cleaned_data["q"]
        status = search.cleaned_data["status"] or "active"
    page = paginate(request, client_list(actor=actor, query=query, status=status))
    client_list_record_viewed(actor=actor, shown=list(page), page=page.number, searched=bool(query))
    context = {
        "search": search,
        "page": page,
        "query": query,
        "status": status,
        "may_create": client_policy.allows(actor, Action.CREATE),
    }
    return render_page(request, "clients/client_list.html", context, partial="clients/_client_results.html")


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def client_create_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    require(client_policy, actor, Action.CREATE)
    form = ClientForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            client = client_create(actor=actor, details=form.to_details())
            messages.success(request, f"{client.full_name} was added.")
            return redirect("client-detail", client_id=client.pk)
    return render_form_page(request, "clients/client_form.html", {"form": form, "creating": True})


@member_view
@require_http_methods(["GET", "HEAD"])
def client_detail_page(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_get_for_view(actor=actor, client_id=client_id, annotate=client_record_sections.annotations())
    context = {
        "client": client,
        "may_update": client_policy.allows(actor, Action.UPDATE),
        "may_archive": client_policy.allows(actor, Action.ARCHIVE),
        # What the apps above clients add for this client: IPT courses, measures and risk.
        "sections": client_record_sections.contexts(actor, client),
    }
    return render(request, "clients/client_detail.html", context)


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def client_edit_page(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_get(actor=actor, client_id=client_id, action=Action.UPDATE)
    form = ClientForm(request.POST or None, instance=client, actor=actor)
    if request.method == "POST" and form.is_valid():
        # The form's instance was filled in by is_valid(); the service works on a fresh copy.
        fresh = client_get(actor=actor, client_id=client_id, action=Action.UPDATE)
        with errors_on(form):
            client_update(actor=actor, client=fresh, details=form.to_details())
            messages.success(request, "Changes saved.")
            return redirect("client-detail", client_id=client_id)
    context = {"form": form, "creating": False, "client_id": client_id}
    return render_form_page(request, "clients/client_form.html", context)


@member_view
@require_POST
def client_archive_action(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_get(actor=actor, client_id=client_id, action=Action.ARCHIVE)
    with errors_as_messages(request):
        client_archive(actor=actor, client=client)
        messages.success(request, f"{client.full_name} was archived. The record is kept and can be reactivated.")
    return redirect("client-detail", client_id=client_id)


@member_view
@require_POST
def client_reactivate_action(request: HttpRequest, actor: Actor, client_id: int) -> HttpResponse:
    client = client_get(actor=actor, client_id=client_id, action=Action.ARCHIVE)
    with errors_as_messages(request):
        client_reactivate(actor=actor, client=client)
        messages.success(request, f"{client.full_name} is active again.")
    return redirect("client-detail", client_id=client_id)
