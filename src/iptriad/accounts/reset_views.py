"""A forgotten password: ask for a link by e-mail, then choose a new password through it (anonymous pages)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods

from iptriad.accounts.actors import client_ip
from iptriad.accounts.forms import PasswordResetForm, PasswordResetRequestForm
from iptriad.accounts.password_reset import (
    ERROR_RESET_LINK,
    MAX_TOKEN_LENGTH,
    password_reset_complete,
    password_reset_request_task,
    password_reset_user,
    reset_link_minutes,
)
from iptriad.web.pages import errors_on, render_form_page

logger = logging.getLogger(__name__)

RESET_LINK_SENT = (
    "If an account uses {email}, we have sent it a link to choose a new password. Open it within {minutes} "
    "minutes. No e-mail? Check the address and your spam folder, and ask again in a few minutes."
)
RESET_NOT_TAKEN = "We could not take your request just now. Try again in a few minutes."
RESET_DONE = "Your password has been changed and you have been logged out everywhere. Log in with it now."


@require_http_methods(["GET", "HEAD", "POST"])
def password_reset_page(request: HttpRequest) -> HttpResponse:
    """The same answer, after the same work, whether or not the address has an account: the worker looks it up."""
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        confirm_base_url = request.build_absolute_uri(reverse("password-reset-confirm"))
        try:
            password_reset_request_task(email, client_ip(request), confirm_base_url)
        except Exception as error:  # the queue is down: the same answer for every address, and nothing half-done
            logger.error("Could not queue a password reset request (%s)", type(error).__name__)
            messages.error(request, RESET_NOT_TAKEN)
            return redirect("password-reset")
        messages.success(request, RESET_LINK_SENT.format(email=email, minutes=reset_link_minutes()))
        return redirect("login")
    return render_form_page(request, "accounts/password_reset.html", {"form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def password_reset_confirm_page(request: HttpRequest) -> HttpResponse:
    """The link from the e-mail: GET shows the form (a mail scanner opening it changes nothing), POST sets the
    password. The token rides in the query string, then in the form, never in the path."""
    token = str(request.POST.get("token") or request.GET.get("token") or "")[:MAX_TOKEN_LENGTH]
    user = password_reset_user(token) if token else None
    if user is None:
        response = render(request, "accounts/password_reset_confirm.html", {"error": ERROR_RESET_LINK}, status=404)
    else:
        form = PasswordResetForm(user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            with errors_on(form, "new_password1"):
                password_reset_complete(
                    token=token, new_password=form.cleaned_data["new_password1"], ip_address=client_ip(request)
                )
                # Not logged in by the link: the person logs in with the new password (and their code). Whoever
                # was signed in on this browser is signed out too.
                logout(request)
                messages.success(request, RESET_DONE)
                return redirect("login")
        context = {"form": form, "token": token, "email": user.email}
        response = render_form_page(request, "accounts/password_reset_confirm.html", context)
    add_never_cache_headers(response)
    return response
