"""Log in, log out and switch organisation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts.actors import Actor, client_ip
from iptriad.accounts.forms import LoginForm, OrganisationSettingsForm, OrganisationSwitchForm
from iptriad.accounts.middleware import SESSION_ORGANISATION_KEY
from iptriad.accounts.models import Organisation, User
from iptriad.accounts.permissions import Action, member_view, organisation_policy, require
from iptriad.accounts.selectors import membership_current, memberships_of_user, user_by_email
from iptriad.accounts.services import organisation_switch, organisation_update_settings
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record_auth
from iptriad.web.pages import errors_on, render_form_page


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user: User = form.get_user()
        membership = membership_current(user=user, organisation_id=None)
        audit_record_auth(
            action=AuditAction.LOGIN,
            user=user,
            organisation=membership.organisation if membership else None,
            ip_address=client_ip(self.request),
        )
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        # Record the attempt against the account if one exists; never store the typed e-mail or password.
        user = user_by_email(email=str(form.data.get("username", "")))
        # One event per organisation the account belongs to, so each organisation's admins see it.
        organisations: list[Organisation | None] = (
            [m.organisation for m in memberships_of_user(user=user)] if user else []
        )
        for organisation in organisations or [None]:
            audit_record_auth(
                action=AuditAction.LOGIN_FAILED,
                user=user,
                organisation=organisation,
                ip_address=client_ip(self.request),
            )
        return super().form_invalid(form)


@require_POST
def logout_action(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth import logout

    membership = getattr(request, "membership", None)
    if request.user.is_authenticated:
        audit_record_auth(
            action=AuditAction.LOGOUT,
            user=request.user,
            organisation=membership.organisation if membership else None,
            ip_address=client_ip(request),
        )
    logout(request)
    messages.info(request, "You have logged out.")
    response = redirect("login")
    # The browser drops what it kept of the session's pages: its cache and this site's storage (ASVS 14.3.1).
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


@require_POST
def organisation_switch_action(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    form = OrganisationSwitchForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose an organisation to switch to.")
    membership = organisation_switch(
        user=request.user,
        organisation_id=form.cleaned_data["organisation"],
        ip_address=client_ip(request),
    )
    if membership is None:
        # Not a member there (or no such organisation): the same answer either way.
        messages.error(request, "You are not a member of that organisation.")
        return redirect("home")
    request.session[SESSION_ORGANISATION_KEY] = membership.organisation_id
    messages.success(request, f"You are now working in {membership.organisation.name}.")
    return HttpResponseRedirect("/")


@member_view
@require_http_methods(["GET", "HEAD", "POST"])
def organisation_settings_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    require(organisation_policy, actor, Action.UPDATE)
    organisation = actor.organisation
    initial = {
        "name": organisation.name,
        "time_zone": organisation.time_zone,
        "crisis_contacts": organisation.crisis_contacts,
        "mfa_required": organisation.mfa_required,
    }
    form = OrganisationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            organisation_update_settings(actor=actor, **form.cleaned_data)
            messages.success(request, "Settings saved.")
            return redirect("organisation-settings")
    return render_form_page(request, "accounts/organisation_settings.html", {"form": form})


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """What django-axes answers once a username and address have failed too often (settings.AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
