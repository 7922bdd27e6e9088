"""Setting a programme up and finding one's groups: the list of groups, a group's page, creating and changing a group,
adding and moving members, closing a group, the programme's sites and formats."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.once import submitted_once
from iptriad.accounts.permissions import member_view
from iptriad.clients.selectors import client_list_record_viewed
from iptriad.core.groups import FORMATS
from iptriad.core.instruments import instruments
from iptriad.core.search import search_terms
from iptriad.groups.forms.setup import CloseForm, GroupForm, MemberAddForm, SiteForm, TemplateForm, TransferForm
from iptriad.groups.permissions import GroupAction, group_policy
from iptriad.groups.selectors.setup import (
    LIST_STATUSES,
    clients_to_add,
    group_get,
    group_list,
    group_page,
    group_viewed,
    member_get,
    shipped_format_sources,
    site_get,
    sites_of,
    sites_with_counts,
    templates_of,
    transfer_targets,
)
from iptriad.groups.services.members import member_add, member_transfer
from iptriad.groups.services.setup import (
    group_close,
    group_create,
    group_update,
    site_save,
    template_create,
)
from iptriad.web.pages import errors_on, id_from_text, render_form_page

GET_POST = ["GET", "HEAD", "POST"]
SEARCH_MAX = 100


def _data(request: HttpRequest) -> Any:
    """A POST's entries, even none (a confirm button's form is empty), else None for a form first shown."""
    return request.POST if request.method == "POST" else None


def _require_manage(actor: Actor) -> None:
    if not group_policy.allows(actor, GroupAction.MANAGE):
        raise PermissionDenied("Your role may not set up groups.")


# ---------------------------------------------------------------------------------------------------------------
# The list of groups


@member_view
@require_http_methods(["GET", "HEAD"])
def groups_list_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    sites = list(sites_of(actor))
    site_id = id_from_text(request.GET.get("site"))
    if site_id not in {site.pk for site in sites}:
        site_id = None
    status = request.GET.get("status", "")
    if status not in LIST_STATUSES:
        status = ""
    context = {
        "rows": group_list(actor=actor, site_id=site_id, status=status),
        "sites": sites,
        "site_id": site_id,
        "status": status,
        "statuses": [
            ("", "All"),
            ("open", "Open"),
            ("forming", "Forming"),
            ("running", "Running"),
            ("closed", "Closed"),
        ],
        "may_manage": group_policy.allows(actor, GroupAction.MANAGE),
        "may_run": group_policy.allows(actor, GroupAction.RUN),
    }
    return render(request, "groups/setup_list.html", context)


# ---------------------------------------------------------------------------------------------------------------
# Creating and changing a group


def _format_options(form: GroupForm) -> list[dict[str, Any]]:
    sources = shipped_format_sources()
    return [{"radio": radio, "source": sources.get(str(radio.data["value"]), "")} for radio in form["format_code"]]


@member_view
@require_http_methods(GET_POST)
def groups_create_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_manage(actor)
    form = GroupForm(_data(request), actor=actor)
    with submitted_once(request, actor) as once:  # sent twice, one group
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form):
                group = group_create(actor=actor, details=form.to_details())
                messages.success(request, f"The group {group.name} is set up, with its sessions planned weekly.")
                return once.done(redirect("groups_detail", group_id=group.pk))
    context = {"form": form, "format_options": _format_options(form), "group": None}
    return render_form_page(request, "groups/setup_group_form.html", context)


@member_view
@require_http_methods(GET_POST)
def groups_edit_page(request: HttpRequest, actor: Actor, group_id: int) -> HttpResponse:
    group = group_get(actor=actor, group_id=group_id)
    _require_manage(actor)
    form = GroupForm(_data(request), actor=actor, group=group)
    if not group.is_open:
        messages.error(request, "This group is closed: its details can no longer be changed.")
        return redirect("groups_detail", group_id=group.pk)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            group_update(actor=actor, group=group, details=form.to_details())
            messages.success(request, "The group's details are saved.")
            return redirect("groups_detail", group_id=group.pk)
    return render_form_page(request, "groups/setup_group_form.html", {"form": form, "group": group})


# ---------------------------------------------------------------------------------------------------------------
# The group's page


@member_view
@require_http_methods(["GET", "HEAD"])
def groups_detail_page(request: HttpRequest, actor: Actor, group_id: int) -> HttpResponse:
    group = group_get(actor=actor, group_id=group_id)
    page = group_page(actor=actor, group=group)
    group_viewed(actor=actor, group=group)
    return render(request, "groups/setup_detail.html", {"page": page, "group": group})


# ---------------------------------------------------------------------------------------------------------------
# Members: adding, moving


@member_view
@require_http_methods(GET_POST)
def groups_member_add_page(request: HttpRequest, actor: Actor, group_id: int) -> HttpResponse:
    group = group_get(actor=actor, group_id=group_id)
    _require_manage(actor)
    query = request.GET.get("q", "")[:SEARCH_MAX]
    offered = clients_to_add(actor=actor, query=query) if group.is_open else []
    if offered:  # who saw which names, as on the client list (the search text may hold a name: not kept)
        client_list_record_viewed(actor=actor, shown=offered, page=1, searched=bool(search_terms(query)))
    form = MemberAddForm(_data(request), actor=actor, offered=offered)
    with submitted_once(request, actor) as once:  # sent twice, added once
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form):
                member = member_add(actor=actor, group=group, client=form.cleaned_data["client"])
                messages.success(
                    request, f"{member.client.full_name} is on the group's list, awaiting their pre-group meeting."
                )
                return once.done(redirect("groups_detail", group_id=group.pk))
    context = {
        "group": group,
        "form": form,
        "offered": offered,
        "query": query,
        "searched": bool(search_terms(query)),
    }
    return render_form_page(request, "groups/setup_member_add.html", context)


@member_view
@require_http_methods(GET_POST)
def groups_member_transfer_page(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    member = member_get(actor=actor, member_id=member_id, action=GroupAction.VIEW)
    _require_manage(actor)
    targets = transfer_targets(actor=actor, member=member)
    form = TransferForm(_data(request), targets=targets)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            moved = member_transfer(actor=actor, member=member, to_group=form.cleaned_data["to_group"])
            messages.success(request, f"{member.client.full_name} is now in {moved.group.name}.")
            return redirect("groups_detail", group_id=moved.group_id)
    context = {"member": member, "form": form, "has_targets": targets.exists()}
    return render_form_page(request, "groups/setup_member_transfer.html", context)


# ---------------------------------------------------------------------------------------------------------------
# Closing a group


@member_view
@require_http_methods(GET_POST)
def groups_close_page(request: HttpRequest, actor: Actor, group_id: int) -> HttpResponse:
    group = group_get(actor=actor, group_id=group_id)
    _require_manage(actor)
    form = CloseForm(_data(request))
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            group_close(actor=actor, group=group)
            messages.success(request, f"The group {group.name} is closed; its members have finished.")
            return redirect("groups_detail", group_id=group.pk)
    return render_form_page(request, "groups/setup_close.html", {"group": group, "form": form})


# ---------------------------------------------------------------------------------------------------------------
# Sites


@member_view
@require_http_methods(GET_POST)
def groups_sites_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_manage(actor)
    form = SiteForm(_data(request))
    with submitted_once(request, actor) as once:
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form):
                site = site_save(actor=actor, **form.cleaned_data)
                messages.success(request, f"The site {site.name} is added.")
                return once.done(redirect("groups_sites"))
    context = {"form": form, "sites": list(sites_with_counts(actor))}
    return render_form_page(request, "groups/setup_sites.html", context)


@member_view
@require_http_methods(GET_POST)
def groups_site_edit_page(request: HttpRequest, actor: Actor, site_id: int) -> HttpResponse:
    site = site_get(actor=actor, site_id=site_id)
    _require_manage(actor)
    form = SiteForm(_data(request), initial={"name": site.name, "region": site.region})
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            site_save(actor=actor, site=site, **form.cleaned_data)
            messages.success(request, "The site is saved.")
            return redirect("groups_sites")
    return render_form_page(request, "groups/setup_site_edit.html", {"form": form, "site": site})


# ---------------------------------------------------------------------------------------------------------------
# Formats


def _shipped_formats() -> list[dict[str, Any]]:
    return [
        {
            "name": shipped.name,
            "sessions": shipped.sessions,
            "initial": shipped.initial_sessions,
            "middle": shipped.middle_sessions,
            "termination": shipped.termination_sessions,
            "pre_group": "with the member, and with a parent" if len(shipped.pre_group) > 1 else "with the member",
            "screening": _instrument_name(shipped.screening_instrument),
            "check": _instrument_name(shipped.check_instrument),
            "completed": shipped.completed_at_least,
            "source": shipped.source,
            "notes": shipped.notes,
        }
        for shipped in FORMATS
    ]


def _instrument_name(code: str) -> str:
    known = instruments().get(code)
    return known.short_name if known is not None else code


@member_view
@require_http_methods(GET_POST)
def groups_formats_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require_manage(actor)
    form = TemplateForm(_data(request))
    with submitted_once(request, actor) as once:
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form):
                template = template_create(actor=actor, details=form.to_details())
                messages.success(request, f"The format {template.name} is added: new groups can use it.")
                return once.done(redirect("groups_formats"))
    own = [
        {
            "template": template,
            "middle": template.sessions - template.initial_sessions - template.termination_sessions,
            "screening": _instrument_name(template.screening_instrument),
            "check": _instrument_name(template.check_instrument),
        }
        for template in templates_of(actor)
    ]
    context = {"form": form, "shipped": _shipped_formats(), "own": own}
    return render_form_page(request, "groups/setup_formats.html", context)


urlpatterns = [
    path("", groups_list_page, name="groups_list"),
    path("new/", groups_create_page, name="groups_create"),
    path("<int:group_id>/", groups_detail_page, name="groups_detail"),
    path("<int:group_id>/edit/", groups_edit_page, name="groups_edit"),
    path("<int:group_id>/members/add/", groups_member_add_page, name="groups_member_add"),
    path("members/<int:member_id>/transfer/", groups_member_transfer_page, name="groups_member_transfer"),
    path("<int:group_id>/close/", groups_close_page, name="groups_close"),
    path("sites/", groups_sites_page, name="groups_sites"),
    path("sites/<int:site_id>/edit/", groups_site_edit_page, name="groups_site_edit"),
    path("formats/", groups_formats_page, name="groups_formats"),
]
