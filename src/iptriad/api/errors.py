"""Every error the API answers, in one shape: {"detail": [{"field": ..., "message": ...}]}.

400 the body is not JSON; 401 no valid token or session; 403 the role may not (or CSRF failed); 404 a missing
object or one of another organisation, or another therapist's (the same answer), or a path that names no operation;
422 the input is refused, by its schema or by a service's rules, with the service's own messages. Nothing else is
caught: a bug stays a 500 and is logged, never dressed up as bad input.
"""

from __future__ import annotations

from typing import Any

import pydantic
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from iptriad.api.schemas.common import ErrorOut

# A read without parameters; a read with an id in its path or a query (422: a value out of range); a write.
ERRORS_PLAIN_READ: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
ERRORS_READ: dict[int, Any] = {**ERRORS_PLAIN_READ, 422: ErrorOut}
ERRORS_WRITE: dict[int, Any] = {400: ErrorOut, **ERRORS_READ}
NO_CONTENT: dict[int, Any] = {204: None}  # a removal's answer: no body

NOT_FOUND = "Not found."
FORBIDDEN = "Your role may not do this."
UNAUTHORISED = "Send a valid API token (Authorization: Bearer ...) or log in."
# Where a request body's errors start in ninja's locations: ("body", <parameter name>, field, ...).
BODY_PARAMETER = "payload"


def _detail(errors: list[tuple[str | None, str]]) -> dict[str, Any]:
    return {"detail": [{"field": field, "message": message} for field, message in errors]}


def _field(location: tuple[Any, ...] | list[Any]) -> str | None:
    parts = list(location)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == BODY_PARAMETER:
            parts.pop(0)
    return ".".join(str(part) for part in parts) or None


def _message(error: dict[str, Any]) -> str:
    message = str(error.get("msg", "Invalid value."))
    # A ValueError raised by one of our validators reads better without pydantic's prefix.
    return message.removeprefix("Value error, ")


def django_errors(error: DjangoValidationError) -> list[tuple[str | None, str]]:
    if hasattr(error, "error_dict"):
        return [
            (None if field == "__all__" else field, message)
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [(None, message) for message in error.messages]


def not_found_response() -> HttpResponse:
    """The 404 of a path under /api/v1 that names no operation (an unknown path, or an id that is not a number):
    the same JSON error as every other answer, never the site's HTML page."""
    response = JsonResponse(_detail([(None, NOT_FOUND)]), status=404)
    add_never_cache_headers(response)
    return response


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers with ours (the same shape for every error).

    Each handler is registered for one exception class and receives an instance of it (ninja's signature also
    allows the class itself, hence `Any`).
    """

    def respond(request: HttpRequest, status: int, errors: list[tuple[str | None, str]]) -> HttpResponse:
        return api.create_response(request, _detail(errors), status=status)

    def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 422, django_errors(exc))

    def on_schema_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 422, [(_field(error.get("loc", ())), _message(error)) for error in exc.errors])

    def on_pydantic_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = exc.errors(include_url=False)
        return respond(request, 422, [(_field(error["loc"]), _message(dict(error))) for error in errors])

    def on_permission_denied(request: HttpRequest, exc: Any) -> HttpResponse:
        return respond(request, 403, [(None, str(exc) or FORBIDDEN)])

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        # Never the model's name or the query: a foreign object and a missing one answer alike.
        return respond(request, 404, [(None, NOT_FOUND)])

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        message = exc.message
        if isinstance(exc, AuthenticationError) and message == "Unauthorized":
            message = UNAUTHORISED
        response = respond(request, exc.status_code, [(None, message)])
        if exc.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="iptriad"'
        return response

    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(NinjaValidationError, on_schema_validation)
    api.add_exception_handler(pydantic.ValidationError, on_pydantic_validation)
    api.add_exception_handler(PermissionDenied, on_permission_denied)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(HttpError, on_http_error)
