"""Celery tasks: thin, they take an id and call a service.

A job can never stay `processing` forever: the task has soft and hard time limits, `acks_late`
with reject-on-worker-lost redelivers it when a worker dies, the attempt counter on the row fails
it after JOB_MAX_ATTEMPTS, and `sweep_stale_jobs` catches whatever a lost message leaves behind.
"""

from __future__ import annotations

import uuid
from typing import Any

from celery import shared_task
from django.conf import settings

from comparisons import idempotency, services


@shared_task(  # type: ignore[untyped-decorator]  # celery ships no types
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.JOB_TIME_LIMIT_S,
    time_limit=settings.JOB_TIME_LIMIT_S + 30,
    max_retries=settings.JOB_MAX_ATTEMPTS,
)
def run_media_comparison(self: Any, comparison_id: str) -> None:
    try:
        services.comparison_run(comparison_id=uuid.UUID(comparison_id), retry_transient=True)
    except services.RetryLater as exc:
        raise self.retry(exc=exc, countdown=5 * (self.request.retries + 1)) from exc


@shared_task  # type: ignore[untyped-decorator]
def sweep_stale_jobs() -> dict[str, int]:
    return services.comparisons_sweep_stale()


@shared_task  # type: ignore[untyped-decorator]
def purge_old_uploads() -> int:
    idempotency.requests_purge()
    return services.uploads_purge()
