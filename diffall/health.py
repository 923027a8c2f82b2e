"""GET /healthz: is every part the service needs reachable? 200 when all are, 503 naming the
broken ones. Unauthenticated, so it reports states only: never hosts, names or error texts."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from diffall.celery import app as celery_app

log = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", 10)
    if cache.get(key) != "ok":
        raise RuntimeError("cache did not return what was written")
    cache.delete(key)


def _broker() -> None:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def _storage() -> None:
    default_storage.exists("healthz-probe")


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "storage": _storage,
}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    states: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            states[name] = "ok"
        except Exception:  # any failure of a dependency is what this endpoint exists to report
            log.exception("healthz: %s is down", name)
            states[name] = "down"
    broken = [name for name, state in states.items() if state != "ok"]
    body = {"status": "ok" if not broken else "down", "checks": states, "broken": broken}
    return JsonResponse(body, status=503 if broken else 200)
