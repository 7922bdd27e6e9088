"""Receivers for Django's and django-axes' sign-in signals."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out  # type: ignore[import-untyped]
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from iptriad.accounts import session_times, signed_in
from iptriad.accounts.actors import client_ip
from iptriad.accounts.selectors import user_by_email
from iptriad.accounts.services import audit_auth_event
from iptriad.audit.models import AuditAction
from iptriad.audit.services import audit_record_auth


@receiver(user_logged_in, dispatch_uid="iptriad_session_times_on_login")
def start_session_clocks(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Every login (the form, or a test's force_login) starts the idle, absolute and re-authentication clocks."""
    if request is not None and hasattr(request, "session"):
        session_times.mark_login(request.session)
        signed_in.start(request, kwargs["user"])


@receiver(user_logged_out, dispatch_uid="iptriad_signed_in_on_logout")
def forget_signed_in_session(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """A logout ends the session, so its row on the person's sessions list goes too."""
    if request is not None and hasattr(request, "session"):
        signed_in.forget(request)


@receiver(user_locked_out, dispatch_uid="iptriad_audit_lockout")
def audit_lockout(sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any) -> None:
    """Record a lockout against the account if it exists; never store the typed username otherwise."""
    user = user_by_email(email=username or "")
    if user is not None:
        audit_auth_event(user=user, action=AuditAction.LOCKED_OUT, ip_address=client_ip(request))
    else:
        audit_record_auth(action=AuditAction.LOCKED_OUT, user=None, organisation=None, ip_address=client_ip(request))
