"""The delivery task: thin, it takes a delivery id and calls the service; Celery retries a failed
attempt with exponential backoff, and gives up after WEBHOOK_MAX_ATTEMPTS."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings

from webhooks import services


@shared_task(bind=True, max_retries=None, acks_late=True)  # type: ignore[untyped-decorator]
def deliver_webhook(self: Any, delivery_id: int) -> None:
    try:
        services.delivery_attempt(delivery_id=delivery_id)
    except services.DeliveryFailed as exc:
        attempt = self.request.retries + 1
        if attempt >= settings.WEBHOOK_MAX_ATTEMPTS:
            services.delivery_give_up(delivery_id=delivery_id)
            return
        raise self.retry(
            exc=exc, countdown=services.retry_delay_s(attempt), queue=settings.CELERY_WEBHOOK_QUEUE
        ) from exc
