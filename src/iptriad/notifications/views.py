"""The notification settings page and the message log, for administrators."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import Actor
from iptriad.accounts.permissions import Action, member_view, require
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record
from iptriad.notifications.forms import MessageFilterForm, NotificationSettingsForm
from iptriad.notifications.permissions import message_log_policy, notification_settings_policy
from iptriad.notifications.selectors import message_kinds, messages_for_log
from iptriad.notifications.services import SettingsDetails, notification_settings_update
from iptriad.notifications.settings import notification_settings_for
from iptriad.web.pages import errors_on, paginate, render_form_page, render_page


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    require(notification_settings_policy, actor, Action.UPDATE)
    current = notification_settings_for(actor.organisation, create=False)  # the service saves
    form = NotificationSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            details = SettingsDetails(
                **{name: form.cleaned_data[name] for name in NotificationSettingsForm.Meta.fields}
            )
            notification_settings_update(actor=actor, details=details)
            messages.success(request, "Notification settings saved.")
            return redirect("notification-settings")
    context = {"form": form, "time_zone": actor.organisation.time_zone}
    return render_form_page(request, "notifications/settings.html", context)


@member_view
@require_http_methods(["GET", "HEAD"])
def message_log_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    require(message_log_policy, actor, Action.LIST)
    filters = MessageFilterForm(request.GET)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    log = messages_for_log(
        actor=actor,
        state=criteria.get("state", ""),
        kind=criteria.get("kind", "").strip(),
        channel=criteria.get("channel", ""),
    )
    page = paginate(request, log, per_page=50)
    page.object_list = list(page.object_list)
    audit_record(actor=actor, action=AuditAction.MESSAGE_LOG_VIEWED, detail={"page": page.number})
    context = {"filters": filters, "page": page, "kinds": message_kinds(actor=actor)}
    return render_page(request, "notifications/message_log.html", context)
