"""The members page: an organisation's administrators see who works there and change their access.

Each change needs the administrator's password (and code) typed within the last few minutes, like a change to
their own sign-in. The logic and its rules are in iptriad.accounts.members.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from iptriad.accounts import session_times
from iptriad.accounts.account_views import reauthentication_redirect
from iptriad.accounts.actors import Actor
from iptriad.accounts.members import (
    member_for_update,
    member_mfa_reset,
    member_sessions_end,
    members_overview,
    membership_deactivate,
    membership_reactivate,
)
from iptriad.accounts.models import Membership
from iptriad.accounts.permissions import Action, member_policy, member_view, require
from iptriad.web.pages import errors_as_messages


@member_view
@require_http_methods(["GET", "HEAD"])
def members_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    require(member_policy, actor, Action.LIST)
    context = {"members": members_overview(organisation=actor.organisation), "me": actor.member().pk}
    return render(request, "accounts/members.html", context)


@member_view
@require_POST
def member_deactivate_action(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    def deactivate(membership: Membership) -> str:
        ended, assigned = membership_deactivate(actor=actor, membership=membership)
        message = f"{membership.user} can no longer work in {actor.organisation.name}."
        if ended:
            message += f" {ended} open session{'s' if ended != 1 else ''} ended."
        if assigned:
            message += (
                f" {assigned} active client{'s are' if assigned != 1 else ' is'} still assigned to them: "
                "assign another therapist from each client's record."
            )
        return message

    return _member_change(request, actor, membership_id, deactivate)


@member_view
@require_POST
def member_reactivate_action(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    def reactivate(membership: Membership) -> str:
        membership_reactivate(actor=actor, membership=membership)
        return f"{membership.user} can work in {actor.organisation.name} again."

    return _member_change(request, actor, membership_id, reactivate)


@member_view
@require_POST
def member_mfa_reset_action(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    def reset(membership: Membership) -> str:
        member_mfa_reset(actor=actor, membership=membership)
        return (
            f"{membership.user}'s authenticator app and recovery codes are removed and their sessions ended. "
            "Check who asked before telling them: they set up a new app at their next login."
        )

    return _member_change(request, actor, membership_id, reset)


@member_view
@require_POST
def member_sessions_end_action(request: HttpRequest, actor: Actor, membership_id: int) -> HttpResponse:
    def end(membership: Membership) -> str:
        ended = member_sessions_end(actor=actor, membership=membership)
        return f"{membership.user} is logged out everywhere: {ended} open session{'s' if ended != 1 else ''} ended."

    return _member_change(request, actor, membership_id, end)


def _member_change(
    request: HttpRequest, actor: Actor, membership_id: int, change: Callable[[Membership], str]
) -> HttpResponse:
    """Find the member (404 outside the organisation or the role), ask for the password again if it is not
    fresh, then apply the change and say what happened, or why not."""
    try:
        membership = member_for_update(actor=actor, membership_id=membership_id)
    except Membership.DoesNotExist:
        raise Http404("No such member.") from None
    members_url = reverse("organisation-members")
    if not session_times.recently_authenticated(request.session):
        messages.info(request, "Confirm it is you, then make the change again.")
        return reauthentication_redirect(members_url)
    with errors_as_messages(request):
        messages.success(request, change(membership))
    return redirect(members_url)
