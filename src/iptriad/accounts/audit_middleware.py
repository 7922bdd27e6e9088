"""Record every refused request in the audit trail: 401, 403, 404 to someone signed in, and the refusal limit's 429.

A 404 to a signed-in member (or to an API call that carries a token) is what a probe of another organisation's
record looks like, since foreign objects answer 404. Only the method, status, route and a redacted path are
kept: never the query string's values, the body, or a self-report link's token.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse

from iptriad.accounts.actors import Actor, client_ip
from iptriad.accounts.models import Membership, Organisation, User
from iptriad.accounts.refusal_limit import MARK as REFUSAL_LIMITED
from iptriad.audit.services import audit_record_denied
from iptriad.web.access_log import redact_path

logger = logging.getLogger(__name__)

DENIED_STATUSES = frozenset({401, 403})
PATH_LIMIT = 200
QUERY_NAMES_LIMIT = 10
NAME_LIMIT = 40


class AuditDeniedRequestsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if _is_denied(request, response):
            try:
                # A savepoint when the request runs in a transaction: a failed write leaves that transaction usable.
                with transaction.atomic():
                    _record(request, response.status_code)
            except Exception as error:
                # The refusal still reaches the caller; the log names the failure, never the request.
                logger.error("Could not record a denied request in the audit trail (%s)", type(error).__name__)
        return response


def _is_denied(request: HttpRequest, response: HttpResponse) -> bool:
    status = response.status_code
    if status in DENIED_STATUSES or getattr(response, REFUSAL_LIMITED, False):
        return True  # a 429 of the refusal limit is counted too, so the minute's summary keeps the whole flood
    return status == 404 and (_signed_in(request) or "HTTP_AUTHORIZATION" in request.META)


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def _record(request: HttpRequest, status: int) -> None:
    api_actor = getattr(request, "auth", None)
    membership: Membership | None = getattr(request, "membership", None)
    user: User | None
    organisation: Organisation | None
    if isinstance(api_actor, Actor):
        user, organisation = api_actor.user, api_actor.organisation
    else:
        user = request.user if _signed_in(request) else None  # type: ignore[assignment]
        organisation = membership.organisation if membership is not None else None
    audit_record_denied(
        user=user, organisation=organisation, ip_address=client_ip(request), detail=denied_detail(request, status)
    )


def denied_detail(request: HttpRequest, status: int) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    detail: dict[str, Any] = {
        "method": str(request.method)[:NAME_LIMIT],
        "status": status,
        "path": redact_path(request.path)[:PATH_LIMIT],
    }
    if match is not None and match.url_name:
        detail["route"] = match.url_name[:NAME_LIMIT]
    names = sorted({name[:NAME_LIMIT] for name in request.GET})[:QUERY_NAMES_LIMIT]
    if names:
        detail["query_names"] = names
    return detail
