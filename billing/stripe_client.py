"""The one module that talks to Stripe (and the only one importing `stripe`).

It answers plain frozen dataclasses, never Stripe objects, so the rest of billing does not depend
on the Stripe library's types. Tests point it at a local stand-in with STRIPE_API_BASE.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings

# No silent retries: a checkout click waits on this call, and webhooks are retried by Stripe
# itself, so a failure is better reported at once than hidden behind back-offs.
stripe.max_network_retries = 0
TIMEOUT_S = 15
log = logging.getLogger(__name__)
_not_configured_logged = False


class PaymentProviderError(Exception):
    """Stripe could not be reached, refused the request, or is not configured."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class PaymentsNotConfigured(PaymentProviderError):
    """This server has no Stripe keys: nothing can be sold (an operator's job, not a customer's)."""


class WebhookSignatureError(Exception):
    """The webhook body is not signed with our secret, is too old, or is not an event."""


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str
    user_id: int | None
    paid: bool
    credits: int
    amount_cents: int
    currency: str
    payment_intent_id: str
    refunded: bool  # the payment's charge was (partly or fully) refunded
    disputed: bool  # the payment's charge is disputed


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    object: dict[str, Any]


def payments_configured() -> bool:
    """Whether this server can sell credit packs. The first time it cannot, the operator is told
    why in the log (once per process: pages ask on every view)."""
    global _not_configured_logged
    if settings.STRIPE_SECRET_KEY:
        return True
    if not _not_configured_logged:
        _not_configured_logged = True
        log.error(
            "Credit packs cannot be sold: STRIPE_SECRET_KEY is not set (and STRIPE_WEBHOOK_SECRET "
            "for the webhook). Customers are told purchases are unavailable right now."
        )
    return False


def _client() -> stripe.StripeClient:
    if not payments_configured():
        raise PaymentsNotConfigured("Purchases are unavailable right now.")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None,
        max_network_retries=0,
        http_client=stripe.new_default_http_client(timeout=TIMEOUT_S),
    )


def _call(what: str, fn: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
    try:
        result = fn(*args, **kwargs)
    except stripe.StripeError as exc:
        message = exc.user_message or str(exc) or type(exc).__name__
        raise PaymentProviderError(f"Stripe could not {what}: {message}") from exc
    return dict(result.to_dict())


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _session_from(data: dict[str, Any]) -> CheckoutSession:
    intent = data.get("payment_intent") or {}
    intent = intent if isinstance(intent, dict) else {"id": intent}
    charge = intent.get("latest_charge") or {}
    charge = charge if isinstance(charge, dict) else {}
    metadata = data.get("metadata") or {}
    return CheckoutSession(
        id=data["id"],
        url=data.get("url") or "",
        user_id=_int(data.get("client_reference_id"), 0) or None,
        paid=data.get("payment_status") == "paid",
        credits=_int(metadata.get("credits")),
        amount_cents=_int(data.get("amount_total")),
        currency=data.get("currency") or "",
        payment_intent_id=intent.get("id") or "",
        refunded=_int(charge.get("amount_refunded")) > 0 or bool(charge.get("refunded")),
        disputed=bool(charge.get("disputed")),
    )


def checkout_session_create(
    *,
    user_id: int,
    email: str,
    credits: int,
    amount_cents: int,
    currency: str,
    success_url: str,
    cancel_url: str,
) -> CheckoutSession:
    """A one-time payment Checkout Session for a pack of credits; the user rides in metadata."""
    metadata = {"user_id": str(user_id), "credits": str(credits)}
    params: dict[str, Any] = {
        "mode": "payment",
        "client_reference_id": str(user_id),
        "customer_email": email,
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": currency,
                    "unit_amount": amount_cents,
                    "product_data": {"name": f"{credits} DiffALL credits"},
                },
            }
        ],
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    data = _call("start the checkout", _client().v1.checkout.sessions.create, params=params)
    return _session_from(data)


def checkout_session_retrieve(session_id: str) -> CheckoutSession:
    """The session as Stripe has it now, with its payment's charge (refunded / disputed)."""
    params = {"expand": ["payment_intent.latest_charge"]}
    client = _client()
    data = _call(
        "find the checkout session", client.v1.checkout.sessions.retrieve, session_id, params
    )
    return _session_from(data)


def checkout_session_id_for_charge(charge_id: str) -> str | None:
    """The Checkout Session that produced this charge (charge → payment intent → session)."""
    client = _client()
    charge = _call("find the charge", client.v1.charges.retrieve, charge_id)
    intent = charge.get("payment_intent")
    intent_id = intent.get("id") if isinstance(intent, dict) else intent
    if not intent_id:
        return None
    found = _call(
        "find the checkout session",
        client.v1.checkout.sessions.list,
        params={"payment_intent": intent_id, "limit": 1},
    )
    sessions = found.get("data") or []
    return str(sessions[0]["id"]) if sessions else None


def event_construct(payload: bytes, signature: str) -> Event:
    """Verify the Stripe-Signature header on the raw body and parse the event."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        # An empty secret would accept bodies "signed" with an empty key by anyone.
        raise WebhookSignatureError("STRIPE_WEBHOOK_SECRET is not set: no event can be trusted")
    try:
        event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise WebhookSignatureError(str(exc)) from exc
    data = event.to_dict()
    obj = (data.get("data") or {}).get("object") or {}
    return Event(id=str(data.get("id", "")), type=str(data.get("type", "")), object=dict(obj))
