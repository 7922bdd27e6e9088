"""The signed-in user's own account: the MFA step, MFA set-up, re-authentication, password and e-mail."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login  # type: ignore[import-untyped]

from iptriad.accounts import mfa, session_times, signed_in
from iptriad.accounts.actors import client_ip
from iptriad.accounts.forms import (
    EmailChangeForm,
    MfaCodeForm,
    MfaEnrolForm,
    MobilePhoneForm,
    PasswordChangeForm,
    ReauthenticateForm,
)
from iptriad.accounts.models import User
from iptriad.accounts.services import (
    EMAIL_CHANGE_LINK_MINUTES,
    ERROR_EMAIL_LINK,
    audit_auth_event,
    email_change_confirm,
    email_change_pending,
    email_change_request,
    mobile_phone_change,
    password_change,
)
from iptriad.audit.models import AuditAction
from iptriad.web.pages import errors_on, id_from_text, render_form_page

View = Callable[..., HttpResponse]


def signed_in_view(view: View) -> View:
    """Logged in (with or without a current organisation): these pages are about the person, not a tenant."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return wrapper


def recent_authentication_required(view: View) -> View:
    """Changing how someone signs in needs the password (and code) typed within the last few minutes."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not session_times.recently_authenticated(request.session):
            back = request.get_full_path() if request.method in ("GET", "HEAD") else reverse("account")
            return reauthentication_redirect(back)
        return view(request, *args, **kwargs)

    return wrapper


def reauthentication_redirect(back: str) -> HttpResponse:
    """To the page that asks for the password (and code) again, then on to `back`."""
    return redirect(f"{reverse('account-reauth')}?{urlencode({'next': back})}")


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # signed_in_view has checked; this satisfies the type checker
        raise PermissionDenied("Log in first.")
    return user


def _next_url(request: HttpRequest, default: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def _verified(request: HttpRequest, device: Any) -> None:
    """The session has passed the second factor: a new session key, and the re-authentication clock restarts."""
    request.session.cycle_key()
    otp_login(request, device)
    session_times.mark_authenticated(request.session)


@signed_in_view
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_verify_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    if not mfa.has_mfa(user):
        return redirect(f"{reverse('mfa-enrol')}?{urlencode({'next': _next_url(request)})}")
    form = MfaCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = mfa.code_check(user=user, code=form.cleaned_data["code"], ip_address=client_ip(request), step="login")
        if check.ok:
            _verified(request, check.device)
            if check.recovery_code_used:
                left = mfa.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You used a recovery code; {left} left. If your phone is lost, reset your authenticator "
                    "app on your account page.",
                )
            return redirect(_next_url(request))
        form.add_error("code", check.error)
    return render_form_page(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})


@signed_in_view
@recent_authentication_required
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_enrol_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if mfa.has_mfa(user):
        if not user.is_verified():  # type: ignore[attr-defined]
            return redirect(f"{reverse('mfa-verify')}?{urlencode({'next': _next_url(request)})}")
        messages.info(request, "Your authenticator app is already set up. To use another, reset it first.")
        return redirect("account")
    form = MfaEnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check, codes = mfa.enrolment_confirm(user=user, code=form.cleaned_data["code"], ip_address=client_ip(request))
        if check.ok:
            _verified(request, check.device)
            return render(
                request,
                "accounts/mfa_recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error("code", check.error)
    device = mfa.pending_totp_device(user) or mfa.enrolment_start(user)
    context = {
        "form": form,
        "secret": mfa.secret_for_manual_entry(device),
        "next": _next_url(request),
        "required": mfa.mfa_required_for(getattr(request, "membership", None)),
    }
    return render_form_page(request, "accounts/mfa_enrol.html", context)


@signed_in_view
@require_http_methods(["GET", "HEAD"])
def mfa_qr_image(request: HttpRequest) -> HttpResponse:
    """The pending set-up's QR code, as an image of its own (the page's CSP allows our own images only)."""
    device = mfa.pending_totp_device(_user(request))
    if device is None:
        raise Http404("No authenticator set-up is in progress.")
    return HttpResponse(mfa.provisioning_svg(device), content_type="image/svg+xml")


@signed_in_view
@require_http_methods(["GET", "HEAD"])
def account_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "has_mfa": mfa.has_mfa(user),
        "recovery_codes_left": mfa.recovery_codes_left(user),
        "mfa_required": mfa.mfa_required_for(getattr(request, "membership", None)),
    }
    return render(request, "accounts/account.html", context)


@signed_in_view
@require_http_methods(["GET", "HEAD", "POST"])
def reauthenticate_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    with_code = mfa.has_mfa(user)
    form = ReauthenticateForm(request.POST or None, request=request, user=user, with_code=with_code)
    if request.method == "POST" and form.is_valid():
        ip_address = client_ip(request)
        if with_code:
            check = mfa.code_check(user=user, code=form.cleaned_data["code"], ip_address=ip_address, step="reauth")
            if check.ok:
                _verified(request, check.device)
                audit_auth_event(user=user, action=AuditAction.REAUTHENTICATED, ip_address=ip_address)
                return redirect(_next_url(request, default="account"))
            form.add_error("code", check.error)
        else:
            request.session.cycle_key()  # a new key at every authentication, as _verified does after a code
            session_times.mark_authenticated(request.session)
            audit_auth_event(user=user, action=AuditAction.REAUTHENTICATED, ip_address=ip_address)
            return redirect(_next_url(request, default="account"))
    minutes = settings.REAUTHENTICATION_SECONDS // 60
    context = {"form": form, "next": _next_url(request, default="account"), "minutes": minutes}
    return render_form_page(request, "accounts/reauthenticate.html", context)


@signed_in_view
@recent_authentication_required
@require_http_methods(["GET", "HEAD", "POST"])
def password_change_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form, "new_password1"):
            password_change(user=user, new_password=form.cleaned_data["new_password1"], ip_address=client_ip(request))
            # This session carries on; every other session of the user ends (their password hash is stale).
            update_session_auth_hash(request, user)
            messages.success(request, "Your password has been changed. You have been logged out everywhere else.")
            return redirect("account")
    return render_form_page(request, "accounts/password_change.html", {"form": form})


EMAIL_LINK_SENT = (
    "We sent a link to {email}. Open it within {minutes} minutes, logged in as you are now, to confirm the new "
    "address. Until then, keep logging in with your current address."
)


@signed_in_view
@recent_authentication_required
@require_http_methods(["GET", "HEAD", "POST"])
def email_change_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            email = form.cleaned_data["email"]
            email_change_request(
                user=user,
                new_email=email,
                ip_address=client_ip(request),
                confirm_url=lambda token: request.build_absolute_uri(
                    f"{reverse('account-email-confirm')}?{urlencode({'token': token})}"
                ),
            )
            # The same answer whether or not the address has an account: the page must not tell.
            messages.success(request, EMAIL_LINK_SENT.format(email=email, minutes=EMAIL_CHANGE_LINK_MINUTES))
            return redirect("account")
    return render_form_page(request, "accounts/email_change.html", {"form": form})


@signed_in_view
@require_http_methods(["GET", "HEAD", "POST"])
def email_change_confirm_page(request: HttpRequest) -> HttpResponse:
    """The link from the e-mail: GET shows a button (mail scanners open links), POST makes the change.

    The token rides in the query string (or the form), never in the path, so no log keeps it.
    """
    user = _user(request)
    token = str(request.POST.get("token") or request.GET.get("token") or "")[:100]
    change = email_change_pending(user=user, token=token) if token else None
    if change is None:
        return render(request, "accounts/email_confirm.html", {"error": ERROR_EMAIL_LINK}, status=404)
    if request.method == "POST":
        try:
            email_change_confirm(user=user, token=token, ip_address=client_ip(request))
        except ValidationError as error:
            return render(request, "accounts/email_confirm.html", {"error": " ".join(error.messages)}, status=409)
        messages.success(request, "Your e-mail address has been changed. Use it to log in from now on.")
        return redirect("account")
    return render(request, "accounts/email_confirm.html", {"new_email": change.new_email, "token": token})


@signed_in_view
@recent_authentication_required
@require_http_methods(["GET", "HEAD", "POST"])
def mobile_phone_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = MobilePhoneForm(request.POST or None, initial={"mobile_phone": user.mobile_phone})
    if request.method == "POST" and form.is_valid():
        with errors_on(form):
            mobile_phone_change(
                user=user, mobile_phone=form.cleaned_data["mobile_phone"], ip_address=client_ip(request)
            )
            messages.success(
                request, "Your mobile number has been saved." if user.mobile_phone else "Your mobile number is removed."
            )
            return redirect("account")
    return render_form_page(request, "accounts/mobile_phone.html", {"form": form})


@signed_in_view
@recent_authentication_required
@require_POST
def recovery_codes_regenerate_action(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not mfa.has_mfa(user):
        messages.error(request, "Set up an authenticator app first; recovery codes come with it.")
        return redirect("account")
    codes = mfa.recovery_codes_regenerate(user=user, ip_address=client_ip(request))
    return render(
        request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": reverse("account"), "first_time": False}
    )


@signed_in_view
@recent_authentication_required
@require_POST
def mfa_reset_action(request: HttpRequest) -> HttpResponse:
    mfa.mfa_reset(user=_user(request), ip_address=client_ip(request))
    messages.success(request, "Your authenticator app and recovery codes have been removed.")
    return redirect("account")


# Ids are 64-bit: 18 digits always fit, so a longer number is refused before it reaches the database.


@signed_in_view
@require_http_methods(["GET", "HEAD"])
def signed_in_sessions_page(request: HttpRequest) -> HttpResponse:
    """Where the person is signed in, with a way to end each other session (ASVS 7.5.2)."""
    user = _user(request)
    context = {
        "sessions": signed_in.signed_in_sessions(user),
        "current_key": request.session.session_key,
        "idle_minutes": settings.SESSION_IDLE_SECONDS // 60,
        "absolute_hours": settings.SESSION_COOKIE_AGE // 3600,
    }
    return render(request, "accounts/signed_in_sessions.html", context)


@signed_in_view
@require_POST
def signed_in_session_end_action(request: HttpRequest) -> HttpResponse:
    # The row's id comes in the form, bounded like every id; another person's or an unknown id is simply not found.
    raw = request.POST.get("session", "")
    record_id = id_from_text(raw) or 0
    if signed_in.signed_in_session_end(request=request, user=_user(request), record_id=record_id):
        messages.success(request, "That session has ended: whoever used it must sign in again.")
    else:  # a second click, a session that timed out meanwhile, this browser's own, or not one of theirs
        messages.info(request, "Nothing to end: that session is not one of your other sessions (it may have ended).")
    return redirect("account-sessions")


@signed_in_view
@require_POST
def signed_in_sessions_end_action(request: HttpRequest) -> HttpResponse:
    ended = signed_in.signed_in_sessions_end_others(request=request, user=_user(request))
    messages.success(request, f"{ended} other session{'' if ended == 1 else 's'} ended. This one carries on.")
    return redirect("account-sessions")
