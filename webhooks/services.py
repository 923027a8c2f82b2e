"""Writes of the webhooks app: register and delete endpoints, make the account's signing secret,
and deliver a finished comparison to every destination that wants it.

When a comparison reaches `done` or `error`, `deliveries_start` makes one delivery per active
endpoint of its account plus one for the request's own `callback_url`, and queues each. The task
POSTs the same JSON the poll returns, signed (webhooks.signing), and Celery retries a failed
attempt with exponential backoff up to WEBHOOK_MAX_ATTEMPTS; the delivery row keeps the log."""

from __future__ import annotations

import json
import logging
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from comparisons import fetch
from comparisons.errors import FetchError
from diffall.errors import DomainError
from webhooks import signing
from webhooks.models import SigningSecret, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

MAX_ENDPOINTS = 10


class WebhookError(DomainError):
    code = "webhook_error"


class CallbackRefused(WebhookError):
    """A callback or endpoint URL DiffALL will not POST to (SSRF rules, not http(s), unknown)."""

    code = "callback_not_allowed"


class NoSigningSecret(WebhookError):
    code = "no_signing_secret"


class TooManyEndpoints(WebhookError):
    code = "too_many_endpoints"


def is_allowed_address(address: fetch.IPAddress, port: int) -> bool:
    """Public addresses only, like downloads. WEBHOOK_TEST_LOOPBACK_PORTS lets the test suite's
    own receiver through on loopback; it is empty outside tests."""
    allowed_ports = settings.WEBHOOK_TEST_LOOPBACK_PORTS
    if allowed_ports and address.is_loopback and port in allowed_ports:
        return True
    return fetch.is_public_address(address, port)


def url_check(url: str) -> str:
    url = url.strip()
    try:
        fetch.check_url(
            url, timeout=settings.URL_FETCH_TIMEOUT_S, is_allowed_address=is_allowed_address
        )
    except FetchError as exc:
        raise CallbackRefused(f"callback_url: {exc.detail}") from None
    return url


def endpoint_create(*, user: Any, url: str) -> WebhookEndpoint:
    url = url_check(url)
    if WebhookEndpoint.objects.filter(user=user, deleted_at__isnull=True).count() >= MAX_ENDPOINTS:
        raise TooManyEndpoints(f"An account may have at most {MAX_ENDPOINTS} webhook endpoints.")
    return WebhookEndpoint.objects.create(user=user, url=url, secret=signing.secret_new())


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    WebhookEndpoint.objects.filter(id=endpoint.id).update(deleted_at=timezone.now())


def signing_secret_rotate(*, user: Any) -> SigningSecret:
    """A new signing secret for `callback_url` deliveries (the old one stops at once)."""
    secret, _ = SigningSecret.objects.update_or_create(
        user=user, defaults={"secret": signing.secret_new()}
    )
    return secret


def callback_check(*, user: Any, url: str) -> str:
    """The callback URL of a compare request, refused before anything is charged when DiffALL
    would not POST to it or when the account has no signing secret to sign it with."""
    url = url_check(url)
    if not SigningSecret.objects.filter(user=user).exists():
        raise NoSigningSecret(
            "callback_url needs a signing secret to sign deliveries with: create one under "
            "Account → Webhooks on the website, then send the request again."
        )
    return url


def deliveries_start(*, comparison: Any) -> list[WebhookDelivery]:
    """One delivery per destination of a finished comparison, each queued. Safe to call twice."""
    event = f"comparison.{comparison.status}"
    destinations: list[tuple[WebhookEndpoint | None, str]] = [
        (e, e.url)
        for e in WebhookEndpoint.objects.filter(user=comparison.user_id, deleted_at__isnull=True)
    ]
    if comparison.callback_url:
        destinations.append((None, comparison.callback_url))
    created = []
    for endpoint, url in destinations:
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    user_id=comparison.user_id, comparison=comparison, endpoint=endpoint,
                    url=url, event=event,
                )  # fmt: skip
        except IntegrityError:
            continue  # already made by an earlier call
        created.append(delivery)
        transaction.on_commit(partial(_enqueue, delivery.id))
    return created


def _enqueue(delivery_id: int) -> None:
    from webhooks.tasks import deliver_webhook

    try:
        deliver_webhook.apply_async(args=[delivery_id], queue=settings.CELERY_WEBHOOK_QUEUE)
    except Exception:  # the broker is down: the comparison is done all the same
        log.warning("could not queue webhook delivery %s", delivery_id, exc_info=True)


class DeliveryFailed(Exception):
    """This attempt failed; the task retries while attempts are left."""


def delivery_attempt(*, delivery_id: int) -> WebhookDelivery:
    """POST the comparison to the delivery's URL once; DeliveryFailed when it did not take."""
    delivery = WebhookDelivery.objects.select_related("comparison", "endpoint").get(id=delivery_id)
    if delivery.status != WebhookDelivery.Status.PENDING:
        return delivery
    body = _payload(delivery)
    secret = _secret(delivery)
    headers = {
        "Content-Type": "application/json",
        "DiffALL-Event": delivery.event,
        "DiffALL-Delivery": str(delivery.public_id),
        signing.HEADER: signing.signature(secret, body),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    try:
        status = fetch.post_url(
            delivery.url, body, headers,
            timeout=settings.WEBHOOK_TIMEOUT_S, is_allowed_address=is_allowed_address,
        )  # fmt: skip
    except FetchError as exc:
        delivery.last_status_code, delivery.last_error = None, exc.detail[:500]
    else:
        delivery.last_status_code = status
        delivery.last_error = "" if 200 <= status < 300 else f"the receiver answered {status}"
        if 200 <= status < 300:
            delivery.status = WebhookDelivery.Status.DELIVERED
    delivery.save()
    if delivery.status != WebhookDelivery.Status.DELIVERED:
        raise DeliveryFailed(delivery.last_error)
    return delivery


def delivery_give_up(*, delivery_id: int) -> None:
    WebhookDelivery.objects.filter(id=delivery_id, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED
    )


def _secret(delivery: WebhookDelivery) -> str:
    if delivery.endpoint is not None:
        return delivery.endpoint.secret
    return SigningSecret.objects.get(user_id=delivery.user_id).secret


def _payload(delivery: WebhookDelivery) -> bytes:
    from comparisons.serializers import ComparisonSerializer

    data = ComparisonSerializer(delivery.comparison).data
    return json.dumps(data, separators=(",", ":"), default=str).encode()


def retry_delay_s(attempt: int) -> float:
    """Exponential backoff: base, 2 * base, 4 * base, ... (attempt 1 is the first retry)."""
    return float(settings.WEBHOOK_RETRY_BASE_S) * 2.0 ** (attempt - 1)
