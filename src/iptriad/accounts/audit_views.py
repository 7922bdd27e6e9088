"""The audit trail page, for administrators (the trail's logic is in iptriad.accounts.audit_trail)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor
from iptriad.accounts.audit_trail import audit_events_for_browse, audit_verify_organisation
from iptriad.accounts.permissions import Action, audit_policy, member_view, require
from iptriad.audit.models import AuditAction
from iptriad.audit.refusals import refusals_summarise
from iptriad.audit.services import audit_record
from iptriad.web.pages import paginate, render_page


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AuditAction.choices])
    object_type = forms.ChoiceField(
        required=False,
        label="Record type",
        choices=[("", "Any record"), ("client", "Client"), ("membership", "Member"), ("organisation", "Organisation")],
    )
    object_id = forms.CharField(required=False, max_length=40, label="Record number")


@member_view
@require_http_methods(["GET", "HEAD"])
def audit_list_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    require(audit_policy, actor, Action.LIST)
    # Refusals counted in minutes now over get their summary first, so the page shows every refusal so far.
    refusals_summarise()
    filters = AuditFilterForm(request.GET)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    events = audit_events_for_browse(
        actor=actor,
        action=criteria.get("action", ""),
        object_type=criteria.get("object_type", ""),
        object_id=criteria.get("object_id", "").strip(),
    )
    page = paginate(request, events, per_page=50)
    # Read the page before recording this visit, so the visit does not push an event off the page.
    page.object_list = list(page.object_list)
    audit_record(actor=actor, action=AuditAction.AUDIT_BROWSED, detail={"page": page.number})
    context = {"filters": filters, "page": page}
    return render_page(request, "audit/audit_list.html", context, partial="audit/_audit_results.html")


# Problems shown on the page; `iptriad audit verify` lists them all.
PROBLEMS_SHOWN = 5


@member_view
@require_POST
def audit_verify_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Check the organisation's audit chain now: a POST, since it reads the whole trail and is itself audited."""
    chain = audit_verify_organisation(actor=actor)
    if chain.ok:
        messages.success(
            request,
            f"The audit trail is intact: {chain.events_checked} events checked, each still matching its hash "
            f"and its place. The latest hash is {chain.last_hash}.",
        )
    else:
        count = chain.problem_count
        messages.error(
            request, f"The audit trail is broken: {count} {_problems(count)} in {chain.events_checked} events."
        )
        for problem in chain.problems[:PROBLEMS_SHOWN]:
            where = f"Event {problem.event_id} (number {problem.sequence})" if problem.event_id else "The chain head"
            messages.error(request, f"{where}: {problem.kind}: {problem.message}.")
        if count > PROBLEMS_SHOWN:
            messages.error(request, "An operator can list every problem with: iptriad audit verify.")
    return redirect("audit-list")


def _problems(count: int) -> str:
    return "problem" if count == 1 else "problems"
