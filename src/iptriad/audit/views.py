"""The audit trail page, for administrators."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, member_view, require
from iptriad.audit.models import AuditAction
from iptriad.audit.permissions import audit_policy
from iptriad.audit.selectors import audit_events_for_browse
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
