"""A write the database could not store (disk full, I/O error) answers 503 saying nothing was saved.

The service's transaction has already been rolled back when the error reaches here, so no partial record
remains; this only makes sure the person is told plainly, never shown a success or a bare 500. Pages get
a page of their own that needs no database (the database may be what failed); the API gets its usual error
shape. Other database errors are left alone: they are bugs and stay 500s.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Callable, Iterator

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

FULL = "full"
IO = "io"
MESSAGES = {
    FULL: "Nothing was saved: the server's storage is full. Try again later or tell your administrator.",
    IO: "Nothing was saved: the server could not write to its storage. Try again later or tell your administrator.",
}
# PostgreSQL's SQLSTATE codes: disk_full and io_error.
_POSTGRES_CODES = {"53100": FULL, "58030": IO}
_OS_ERRNOS = {errno.ENOSPC: FULL, errno.EDQUOT: FULL, errno.EIO: IO}
_SQLITE_MESSAGES = {"database or disk is full": FULL, "disk i/o error": IO}
RETRY_AFTER_SECONDS = 300

logger = logging.getLogger("iptriad.storage")


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what it wraps (Django wraps the driver's error as its __cause__)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def storage_problem(error: BaseException) -> str | None:
    """FULL or IO when the error means the storage refused a write; None for any other error."""
    for cause in _causes(error):
        if isinstance(cause, sqlite3.Error):
            code = getattr(cause, "sqlite_errorcode", None)
            if code is not None and code & 0xFF == sqlite3.SQLITE_FULL:
                return FULL
            if code is not None and code & 0xFF == sqlite3.SQLITE_IOERR:
                return IO
            if (kind := _SQLITE_MESSAGES.get(str(cause).lower())) is not None:
                return kind
        sqlstate = getattr(cause, "sqlstate", None)
        if isinstance(sqlstate, str) and sqlstate in _POSTGRES_CODES:
            return _POSTGRES_CODES[sqlstate]
        if isinstance(cause, OSError) and cause.errno in _OS_ERRNOS:
            return _OS_ERRNOS[cause.errno]
    return None


def _is_api(request: HttpRequest) -> bool:
    match = request.resolver_match
    return match is not None and (match.url_name or "").startswith("api-")


def storage_error_response(request: HttpRequest, kind: str) -> HttpResponse:
    message = MESSAGES[kind]
    response: HttpResponse
    if _is_api(request):
        response = JsonResponse({"detail": [{"field": None, "message": message}]}, status=503)
    else:
        html = render_to_string("storage_error.html", {"message": message})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class StorageErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        kind = storage_problem(exception)
        if kind is None:
            return None
        match = request.resolver_match
        # The URL name, not the path: a path can hold a self-report token. The message names no data.
        logger.error(
            "Storage refused a write (%s) during %s %s: %s: %s",
            kind,
            request.method,
            match.url_name if match is not None else "?",
            type(exception).__name__,
            exception,
        )
        return storage_error_response(request, kind)
