"""The API object and its URL patterns, included at /api/v1/ by iptriad.urls.

URL names are global and start with "api-" (one per operation: "api-" + the view's name, hyphenated), so the
permission matrix (tests/security/matrix_rows/api.py) can name every operation beside the pages. The OpenAPI
document is served at /api/v1/openapi.json; the interactive docs page is off, because ninja's loads its
scripts from a CDN and clinics may be offline (use any OpenAPI viewer on the document instead).
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation
from ninja.router import Router

from iptriad.api import (
    clients,
    competency,
    course_initial,
    course_middle,
    course_sessions,
    course_termination,
    courses,
    fidelity,
    flags,
    group_sessions,
    groups,
    measures,
    supervision,
)
from iptriad.api.auth import AUTH, TIME_ZONE_FLAG
from iptriad.api.errors import install, not_found_response

OPENAPI_URL_NAME = "api-openapi"
ROOT_URL_NAME = "api-root"


class IptriadAPI(NinjaAPI):
    """ninja's API with plain (un-namespaced) URL names and operation ids named after the views, and its OpenAPI
    document built once per process."""

    _documents_lock = threading.Lock()

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The document, built on first use and copied after: ninja builds it again on every call, which costs
        about a second of CPU (pydantic writes every schema anew), so each GET of /api/v1/openapi.json, which
        anyone may send, would cost the server that second. The operations are fixed once the routers are added
        (at import), so the document cannot change in a running process. A copy, because a caller may change it."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        with self._documents_lock:
            documents: dict[str, OpenAPISchema] = self.__dict__.setdefault("_documents", {})
            if path_prefix not in documents:
                documents[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
            built = documents[path_prefix]
        return copy.deepcopy(built)

    def get_root_path(self, path_params: dict[str, Any]) -> str:
        return reverse(ROOT_URL_NAME, kwargs=path_params)

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__.removesuffix("_api")

    def get_operation_url_name(self, operation: Operation, router: Router) -> str:
        return "api-" + operation.view_func.__name__.removesuffix("_api").replace("_", "-")


def _every_request(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Answers carry client data: no browser or proxy may keep a copy. A token request's time zone ends here."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = run(request, *args, **kwargs)
        finally:
            if getattr(request, TIME_ZONE_FLAG, False):
                timezone.deactivate()
        add_never_cache_headers(response)
        return response

    return wrapper


api = IptriadAPI(
    title="iptriad API",
    version="1",
    description=(
        "Clients, measures, risk alerts, IPT courses with every part of their record, and group IPT (groups, members, "
        "session rosters with symptom checks), under the same permissions "
        "and audit as the pages. "
        "Authenticate with a personal token (`Authorization: Bearer <token>`, from `iptriad apitoken create`) "
        "or the logged-in session (unsafe methods then need the X-CSRFToken header). Errors: "
        '{"detail": [{"field": ..., "message": ...}]}. See docs/api.md.'
    ),
    auth=AUTH,
    docs_url=None,
    urls_namespace="api",
)
install(api)
api.add_decorator(_every_request, mode="view")
api.add_router("", clients.router)
api.add_router("", measures.router)
api.add_router("", courses.router)
api.add_router("", course_initial.router)
api.add_router("", course_middle.router)
api.add_router("", course_sessions.router)
api.add_router("", course_termination.router)
api.add_router("", groups.router)
api.add_router("", group_sessions.router)
api.add_router("", supervision.router)
api.add_router("", flags.router)
api.add_router("", fidelity.router)
api.add_router("", competency.router)


@csrf_exempt  # as ninja's own views: it changes nothing, and a token request carries no CSRF token
def _no_operation(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return not_found_response()


def _patterns() -> list[URLPattern | URLResolver]:
    """ninja's patterns, with the root replaced by one that also catches every path no operation matches (so a
    client gets a JSON 404 there, e.g. for /clients/abc); it still reverses to the root, which ninja needs."""
    patterns, _app_name, _namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern) and pattern.name == "openapi-json":
            pattern.name = OPENAPI_URL_NAME
    operations = [pattern for pattern in patterns if getattr(pattern, "name", None) != ROOT_URL_NAME]
    return [*operations, re_path(r"^.*$", _no_operation, name=ROOT_URL_NAME)]  # last: it matches every path


urlpatterns = _patterns()
