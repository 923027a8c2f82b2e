"""What a request gets while a part the service depends on is down: a 503 that names the part,
with Retry-After, never a 500. The API answers in its error shape; pages get a short page.

Only the database is handled here (every request may touch it, through sessions and
authentication). The others are handled where they are used: object storage in
comparisons.storage (503 storage_unavailable), the broker in comparisons.jobs (the outbox:
the job is accepted and runs once the broker is back), the cache in the rate limiter (fails
open) — see the README's "When a part is down"."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

log = logging.getLogger(__name__)

RETRY_AFTER_S = 30
DETAIL = "The database is unavailable right now; nothing was charged. Try again shortly."


def is_outage(exc: BaseException | None) -> bool:
    """OperationalError: cannot connect, connection lost; InterfaceError: connection closed.
    Other database errors (a constraint, a bad query) are bugs and stay 500s."""
    return isinstance(exc, OperationalError | InterfaceError)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {"status": "error", "error": "database_unavailable", "detail": DETAIL}
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        # The site's frame, rendered without the request: no session or user lookup runs.
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


class DatabaseOutageMiddleware:
    """503 database_unavailable for a view that loses the database (DRF's views included: its
    exception handler passes these through). Losses outside views (sessions, authentication)
    reach handler500, which answers the same (diffall.views.server_error)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_outage(exception):
            return None
        log.error("database unavailable: %s", type(exception).__name__)
        return database_unavailable(request)
