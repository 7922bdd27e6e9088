"""The shape of a permission policy, and the view guard every page uses.

Each resource has one policy (in its app's permissions.py) answering two questions:
"may this actor do X at all?" (`allows`) and "which objects may they do X to?" (`scope`).
Object reads go through `scope`, so a forbidden object and a missing one both answer 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from iptriad.accounts.actors import Actor, actor_from_request
from iptriad.accounts.models import Role
from iptriad.audit.models import AuditEvent

M = TypeVar("M", bound=Model)
P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)  # a page, or a file streamed (StreamingHttpResponse)


class Action(StrEnum):
    LIST = "list"
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    ARCHIVE = "archive"
    EXPORT = "export"  # everything held about a client, as a file (iptriad.datarights)
    ERASE = "erase"  # a client's whole record, for good (iptriad.datarights)


class Policy(Protocol[M]):
    def allows(self, actor: Actor, action: Action) -> bool: ...

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[M]) -> QuerySet[M]: ...


def require(policy: Policy[Any], actor: Actor, action: Action) -> None:
    if not policy.allows(actor, action):
        raise PermissionDenied(f"Your role may not {action.value} this.")


def member_view(
    view: Callable[Concatenate[HttpRequest, Actor, P], R],
) -> Callable[Concatenate[HttpRequest, P], R | HttpResponse]:
    """Log in, have a current organisation, and receive the acting `Actor`; nothing else is checked here."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "membership", None) is None:
            return render(request, "accounts/no_membership.html", status=403)
        return view(request, actor_from_request(request), *args, **kwargs)

    return cast(Callable[Concatenate[HttpRequest, P], R | HttpResponse], wrapper)


class OrganisationPolicy:
    """An organisation's own settings: its administrators change them; every member reads its name."""

    def allows(self, actor: Actor, action: Action) -> bool:
        return action == Action.VIEW or (action == Action.UPDATE and actor.role == Role.ADMIN)

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(pk=actor.organisation.pk) if self.allows(actor, action) else queryset.none()


organisation_policy = OrganisationPolicy()


class MemberPolicy:
    """An organisation's members: its administrators list them and change their access; to anyone else the
    member pages answer 403 (the list) or 404 (a member), like any object they may not act on."""

    def allows(self, actor: Actor, action: Action) -> bool:
        return actor.role == Role.ADMIN and action in (Action.LIST, Action.UPDATE)

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.filter(organisation_id=actor.organisation.pk) if self.allows(actor, action) else queryset.none()


member_policy = MemberPolicy()


class AuditPolicy:
    """The organisation's audit trail: its administrators read it (the audit page) and check it is intact."""

    def allows(self, actor: Actor, action: Action) -> bool:
        return actor.role == Role.ADMIN and action in (Action.LIST, Action.VIEW)

    def scope(self, actor: Actor, action: Action, queryset: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if not self.allows(actor, action):
            return queryset.none()
        return queryset.filter(organisation=actor.organisation)


audit_policy = AuditPolicy()
