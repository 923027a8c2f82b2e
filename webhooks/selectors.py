"""Reads of the webhooks app."""

from __future__ import annotations

import uuid
from typing import Any

from webhooks.models import SigningSecret, WebhookDelivery, WebhookEndpoint


def endpoints_of(*, user: Any) -> list[WebhookEndpoint]:
    return list(WebhookEndpoint.objects.filter(user=user, deleted_at__isnull=True).order_by("id"))


def endpoint_of(*, user: Any, public_id: uuid.UUID) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(
        user=user, public_id=public_id, deleted_at__isnull=True
    ).first()


def deliveries_of(*, user: Any, limit: int = 50) -> list[WebhookDelivery]:
    """The newest deliveries of an account, for its delivery log."""
    return list(
        WebhookDelivery.objects.filter(user=user).select_related("endpoint", "comparison")[:limit]
    )


def has_signing_secret(*, user: Any) -> bool:
    return SigningSecret.objects.filter(user=user).exists()
