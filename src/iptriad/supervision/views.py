"""The supervision log's pages: the log, a new entry (with its case picker), an entry, editing it, and following an
action up. Each page scopes what it reads by iptriad.supervision.permissions (a foreign or hidden entry is a 404);
each write is one service call whose refusals go back onto the form."""

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
from iptriad.supervision.cases import Case, cases_by_context, cases_matching
from iptriad.supervision.forms import ActionDoneForm, CaseChoice, EntryForm, ids_from_text
from iptriad.supervision.models import ReviewedCase, SupervisionEntry
from iptriad.supervision.permissions import LogAction, supervision_policy
from iptriad.supervision.selectors import (
    action_get,
    clinicians_of,
    entry_cases,
    entry_get,
    entry_view,
    log_entries,
)
from iptriad.supervision.services import ERROR_DENIED_WRITE, action_done, entry_create, entry_update
from iptriad.web.pages import errors_on, paginate, render_form_page

GET_POST = ["GET", "HEAD", "POST"]
SEARCH_MAX = 100
LOG_PAGE_SIZE = 25


def _require(actor: Actor, action: LogAction) -> None:
    if not supervision_policy.allows(actor, action):
        raise PermissionDenied(
            "Your role may not see the supervision log." if action == LogAction.READ else ERROR_DENIED_WRITE
        )


def _choice(case: Case) -> CaseChoice:
    return CaseChoice(case.context_id, case.label, case.url_name, case.record_id)


# --- The log --------------------------------------------------------------------------------------------------


@member_view
@require_http_methods(["GET", "HEAD"])
def supervision_log_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require(actor, LogAction.READ)
    page = paginate(request, log_entries(actor=actor), LOG_PAGE_SIZE)
    context = {"page": page, "may_write": supervision_policy.allows(actor, LogAction.WRITE)}
    return render(request, "supervision/log.html", context)


# --- A new entry, editing it ----------------------------------------------------------------------------------


def _chosen(request: HttpRequest, default: list[int]) -> list[int]:
    raw = request.POST.get("cases") if request.method == "POST" else request.GET.get("cases")
    return ids_from_text(raw) if raw is not None else default


def _entry_form_page(
    request: HttpRequest, actor: Actor, entry: SupervisionEntry | None, kept: list[ReviewedCase]
) -> HttpResponse:
    kept_ids = [case.treatment_context_id for case in kept]
    chosen = _chosen(request, kept_ids)
    organisation_id = actor.organisation.pk
    # Cases already on the entry stay whatever became of them (a course closed since); new ones must be open.
    found = cases_by_context(organisation_id=organisation_id, context_ids=set(chosen) & set(kept_ids), open_only=False)
    found |= cases_by_context(organisation_id=organisation_id, context_ids=set(chosen) - set(kept_ids), open_only=True)
    choices = [_choice(found[context_id]) for context_id in chosen if context_id in found]
    query = request.GET.get("q", "")[:SEARCH_MAX]
    matches = [
        case for case in cases_matching(organisation_id=organisation_id, query=query) if case.context_id not in found
    ]
    people = clinicians_of(actor)
    initial: dict[str, Any] = {}
    if entry is not None:
        initial = {
            "held_on": entry.held_on,
            "format": entry.format,
            "note": entry.note,
            "attendees": [str(pk) for pk in entry.attendees.values_list("pk", flat=True)],
        }
        for case in kept:
            initial[f"case_{case.treatment_context_id}_discussion"] = case.discussion
            initial[f"case_{case.treatment_context_id}_risk_decision"] = case.risk_decision
    form = EntryForm(request.POST if request.method == "POST" else None, initial=initial, people=people, cases=choices)
    with submitted_once(request, actor) as once:
        if once.replay is not None:
            return once.replay
        if request.method == "POST" and form.is_valid() and once.refusal_on(form):
            with errors_on(form, above=("cases",)):
                if entry is None:
                    saved = entry_create(actor=actor, details=form.details())
                    messages.success(request, "The supervision meeting is logged.")
                else:
                    saved = entry_update(actor=actor, entry=entry, details=form.details())
                    messages.success(request, "The supervision entry is saved.")
                return once.done(redirect("supervision_entry", entry_id=saved.pk))
    chosen_text = ",".join(str(choice.context_id) for choice in choices)
    context = {
        "entry": entry,
        "form": form,
        "query": query,
        "matches": matches,
        "searched": bool(query.strip()),
        # Each chosen case with the list of ids without it (its "Remove" link).
        "chosen": [
            {"case": choice, "without": ",".join(str(other.context_id) for other in choices if other != choice)}
            for choice in choices
        ],
        "chosen_text": chosen_text,
    }
    return render_form_page(request, "supervision/entry_form.html", context)


@member_view
@require_http_methods(GET_POST)
def supervision_entry_new_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    _require(actor, LogAction.WRITE)
    return _entry_form_page(request, actor, None, [])


@member_view
@require_http_methods(GET_POST)
def supervision_entry_edit_page(request: HttpRequest, actor: Actor, entry_id: int) -> HttpResponse:
    entry = entry_get(actor=actor, entry_id=entry_id, action=LogAction.WRITE)
    kept = entry_cases(entry)
    return _entry_form_page(request, actor, entry, kept)


# --- An entry -------------------------------------------------------------------------------------------------


@member_view
@require_http_methods(["GET", "HEAD"])
def supervision_entry_page(request: HttpRequest, actor: Actor, entry_id: int) -> HttpResponse:
    entry = entry_get(actor=actor, entry_id=entry_id)
    view = entry_view(actor=actor, entry=entry)
    links = cases_by_context(
        organisation_id=actor.organisation.pk,
        context_ids={row.case.treatment_context_id for row in view.cases},
        open_only=False,
    )
    context = {
        "view": view,
        "entry": entry,
        "cases": [(row, links.get(row.case.treatment_context_id)) for row in view.cases],
        "may_write": supervision_policy.allows(actor, LogAction.WRITE),
        "may_follow_up_all": supervision_policy.whole_organisation(actor),
    }
    return render(request, "supervision/entry_detail.html", context)


# --- Following an action up -----------------------------------------------------------------------------------


@member_view
@require_http_methods(GET_POST)
def supervision_action_done_page(request: HttpRequest, actor: Actor, action_id: int) -> HttpResponse:
    action = action_get(actor=actor, action_id=action_id)
    is_open = action.done_on is None
    form = ActionDoneForm(request.POST if request.method == "POST" and is_open else None)
    if request.method == "POST" and is_open and form.is_valid():
        with errors_on(form):
            action_done(actor=actor, action=action, **form.cleaned_data)
            messages.success(request, "The action is marked done.")
            return redirect("supervision_entry", entry_id=action.entry_id)
    return render_form_page(
        request, "supervision/action_done.html", {"action": action, "form": form, "is_open": is_open}
    )


urlpatterns = [
    path("log/", supervision_log_page, name="supervision_log"),
    path("log/new/", supervision_entry_new_page, name="supervision_entry_new"),
    path("log/<int:entry_id>/", supervision_entry_page, name="supervision_entry"),
    path("log/<int:entry_id>/edit/", supervision_entry_edit_page, name="supervision_entry_edit"),
    path("log/actions/<int:action_id>/done/", supervision_action_done_page, name="supervision_action_done"),
]
