"""POST /billing/stripe/webhook — Stripe's events, verified on the raw body.

400: the body is not signed with STRIPE_WEBHOOK_SECRET, the signature is stale (over 5 minutes)
or the body is not an event — Stripe shows these in its dashboard and we act on nothing.
503: Stripe could not be asked for the current state of the object; Stripe retries later.
200: everything else, including event types we do not handle (recorded, then ignored).
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing import payments, stripe_client

log = logging.getLogger(__name__)


@csrf_exempt  # Stripe cannot send a CSRF token; the signature is what authenticates it
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    signature = request.headers.get("Stripe-Signature", "")
    try:
        event = stripe_client.event_construct(request.body, signature)
    except stripe_client.WebhookSignatureError as exc:
        log.warning("Refused a Stripe webhook: %s", exc)
        return JsonResponse({"error": "invalid_signature", "detail": str(exc)}, status=400)
    try:
        payments.stripe_event_handle(event=event)
    except stripe_client.PaymentProviderError as exc:
        log.error("Stripe event %s (%s) not handled yet: %s", event.id, event.type, exc.detail)
        return JsonResponse({"error": "provider_unavailable", "detail": exc.detail}, status=503)
    return JsonResponse({"received": True, "id": event.id})
