"""`@idempotent`: a creating operation takes an `Idempotency-Key` header, so a script can retry it safely.

Without the header nothing changes. With it, the whole operation runs in one transaction: after the
authentication, the key is claimed for the member in their organisation (iptriad.api.idempotency); a success
keeps its answer in that same transaction, a refusal (4xx) frees the key and is not kept. Sent again with the
same key and the same request, the operation answers the kept answer (same status, same body, with
`Idempotent-Replayed: true`) and creates nothing; with the same key and another request, 422. A request that
arrives while the first is still running waits for it, then replays its answer (PostgreSQL's unique index makes
it wait). Keys expire after 24 hours; expired ones are deleted before each request that sends a key.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.operation import Operation
from ninja.utils import contribute_operation_callback

from iptriad.accounts.idempotency import (
    ERROR_KEY_FORMAT,
    ERROR_KEY_IN_PROGRESS,
    ERROR_KEY_REUSED,
    KEY_MAX_LENGTH,
    KEY_MIN_LENGTH,
    IdempotencyKeyInProgressError,
    IdempotencyKeyReusedError,
    KeptAnswer,
    idempotency_claim,
    idempotency_keep,
    idempotency_key_parse,
    idempotency_keys_purge,
    idempotency_release,
    request_fingerprint,
)
from iptriad.api.auth import actor_of

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# The claimed key, from the operation (after authentication) to the transaction around it.
_CLAIM = "_iptriad_idempotency_claim"

View = TypeVar("View", bound=Callable[..., Any])


def idempotent(view: View) -> View:
    """Put under `@router.post(...)` of an operation that creates records."""

    @functools.wraps(view)
    def claiming(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        header = request.headers.get(IDEMPOTENCY_HEADER)
        if header is None:
            return view(request, *args, **kwargs)
        key = idempotency_key_parse(header)
        if key is None:
            raise HttpError(400, ERROR_KEY_FORMAT)
        actor = actor_of(request)
        fingerprint = request_fingerprint(method=request.method or "", path=request.get_full_path(), body=request.body)
        try:
            claimed = idempotency_claim(
                organisation=actor.organisation, user=actor.member(), key=key, fingerprint=fingerprint
            )
        except IdempotencyKeyReusedError as error:
            raise HttpError(422, ERROR_KEY_REUSED) from error
        except IdempotencyKeyInProgressError as error:
            raise HttpError(409, ERROR_KEY_IN_PROGRESS) from error
        if isinstance(claimed, KeptAnswer):
            replay = HttpResponse(claimed.body, status=claimed.status, content_type=claimed.content_type)
            replay[REPLAYED_HEADER] = "true"
            return replay
        setattr(request, _CLAIM, claimed)
        return view(request, *args, **kwargs)

    # ninja reads the parameters' types from the signature, resolving string annotations in the function's
    # module: give it the view's, resolved in the view's module.
    claiming.__signature__ = inspect.signature(view, eval_str=True)  # type: ignore[attr-defined]
    decorate_view(_in_one_transaction)(claiming)
    contribute_operation_callback(claiming, _document)
    return claiming  # type: ignore[return-value]


def _in_one_transaction(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Around ninja's whole operation (authentication, the view, the answer's serialisation): the records, the
    key and the kept answer commit together, or none of them."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if IDEMPOTENCY_HEADER not in request.headers:
            return run(request, *args, **kwargs)
        idempotency_keys_purge()  # its own short statement, before the transaction: it holds no lock for long
        with transaction.atomic():
            response = run(request, *args, **kwargs)
            claim = getattr(request, _CLAIM, None)
            if claim is not None:
                if 200 <= response.status_code < 300:
                    idempotency_keep(
                        claim,
                        status=response.status_code,
                        content_type=response.get("Content-Type", ""),
                        body=response.content.decode(),
                    )
                else:
                    idempotency_release(claim)
        return response

    return wrapper


def _document(operation: Operation) -> None:
    """The header in the operation's OpenAPI parameters, the replay header on its success, and the 409."""
    [success] = [status for status in operation.response_models if 200 <= status < 300]
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    extra = {
        "parameters": [
            {
                "in": "header",
                "name": IDEMPOTENCY_HEADER,
                "required": False,
                "description": (
                    "A new unique key (a random UUID) for each request: sent again with the same key and body "
                    "within 24 hours, the request is answered with its first answer and creates nothing. "
                    "See docs/api.md, Retries."
                ),
                "schema": {
                    "type": "string",
                    "minLength": KEY_MIN_LENGTH,
                    "maxLength": KEY_MAX_LENGTH,
                    "pattern": "^[A-Za-z0-9._~:/+=-]+$",
                },
            }
        ],
        "responses": {
            success: {
                "headers": {
                    REPLAYED_HEADER: {
                        "description": "`true` when this is the kept answer of an earlier request with the same key.",
                        "schema": {"type": "string", "enum": ["true"]},
                    }
                }
            },
            "409": {"description": "A request with the same key has not finished yet.", **error},
        },
    }
    operation.openapi_extra = {**(operation.openapi_extra or {}), **extra}
