"""Webhooks: endpoints an account registers, the account's signing secret for `callback_url`,
and every delivery with its log. Transitions happen in `webhooks.services`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class WebhookEndpoint(models.Model):
    """A URL that gets every finished comparison of its account, signed with its own secret."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    # Kept as written: signing needs the secret itself (as Stripe keeps its endpoints' secrets).
    secret = models.CharField(max_length=80, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.url


class SigningSecret(models.Model):
    """The account's secret for deliveries to a compare request's own `callback_url`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_signing_secret"
    )
    secret = models.CharField(max_length=80, editable=False)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"signing secret of {self.user_id}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"  # not delivered yet; retries may be scheduled
        DELIVERED = "delivered"
        FAILED = "failed"  # every attempt failed

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    comparison = models.ForeignKey(
        "comparisons.Comparison", on_delete=models.CASCADE, related_name="webhook_deliveries"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    url = models.URLField(max_length=2000)
    event = models.CharField(max_length=40)  # comparison.done | comparison.error
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)
        constraints = [
            # one delivery per comparison and destination, however often a job is finished
            models.UniqueConstraint(
                fields=["comparison", "endpoint"],
                condition=Q(endpoint__isnull=False),
                name="webhook_delivery_once_per_endpoint",
            ),
            models.UniqueConstraint(
                fields=["comparison"],
                condition=Q(endpoint__isnull=True),
                name="webhook_delivery_once_per_callback",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event} to {self.url} ({self.status})"
