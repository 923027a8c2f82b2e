"""Stripe top-ups: start a Checkout Session, and credit / take back a paid pack exactly once.

Our books follow Stripe's state, re-fetched on every call (never a webhook payload): a paid
session is credited once (unique purchase per session id), a refunded or disputed payment takes
the pack back once (unique chargeback per session id). Any number of webhook deliveries, in any
order, plus the success page, end in the same balance.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from billing import stripe_client
from billing.ledger import append, cache_add, wallet_locked
from billing.models import Kind, Pool, Purchase, PurchaseStatus, StripeEvent, Wallet

log = logging.getLogger(__name__)


def checkout_start(*, user: User, site_url: str) -> str:
    """Open a Stripe Checkout Session for one credit pack; answers the URL to send the user to.
    Stripe sends the user back to `site_url` (the site's address, or the host they are on).
    Raises stripe_client.PaymentProviderError when Stripe is unreachable or not configured."""
    success = f"{site_url}{reverse('billing:checkout_success')}"
    session = stripe_client.checkout_session_create(
        user_id=user.pk,
        email=user.email,
        credits=settings.CREDIT_PACK_SIZE,
        amount_cents=settings.CREDIT_PACK_PRICE_CENTS,
        currency=settings.CREDIT_PACK_CURRENCY,
        success_url=success + "?session_id={CHECKOUT_SESSION_ID}",
        cancel_url=f"{site_url}{reverse('billing:checkout_cancel')}",
    )
    return session.url


def purchase_sync(*, session_id: str, now: datetime | None = None) -> Purchase | None:
    """Bring our books in line with the Checkout Session as Stripe has it *now* (re-fetched, never
    taken from a webhook payload): credit a paid session once, and take the credits back once if
    its payment was refunded or disputed. Safe to call any number of times, in any order."""
    session = stripe_client.checkout_session_retrieve(session_id)
    return _purchase_apply(session, now or timezone.now())


def _purchase_apply(session: stripe_client.CheckoutSession, now: datetime) -> Purchase | None:
    user = User.objects.filter(pk=session.user_id).first() if session.user_id else None
    if user is None or session.credits <= 0:
        log.warning("Checkout Session %s is not a DiffALL credit pack; ignored", session.id)
        return None
    with transaction.atomic():
        wallet = wallet_locked(user.pk)
        purchase = Purchase.objects.filter(stripe_session_id=session.id).first()
        if purchase is None and session.paid:
            purchase = _purchase_credit(wallet, session, now)
        reversed_ = session.refunded or session.disputed
        if purchase is not None and reversed_ and purchase.status == PurchaseStatus.PAID:
            _purchase_reverse(wallet, purchase, session, now)
    return purchase


def _purchase_credit(
    wallet: Wallet, session: stripe_client.CheckoutSession, now: datetime
) -> Purchase:
    purchase = Purchase.objects.create(
        user_id=wallet.user_id,
        stripe_session_id=session.id,
        stripe_payment_intent_id=session.payment_intent_id,
        credits=session.credits,
        amount_cents=session.amount_cents,
        currency=session.currency,
    )
    append(
        wallet,
        kind=Kind.PURCHASE,
        pool=Pool.PAID,
        amount=session.credits,
        now=now,
        reason=f"Bought {session.credits} credits",
        stripe_object_id=session.id,
    )
    cache_add(wallet, pool=Pool.PAID, amount=session.credits)
    return purchase


def _purchase_reverse(
    wallet: Wallet, purchase: Purchase, session: stripe_client.CheckoutSession, now: datetime
) -> None:
    """Take a pack's credits back, whole: we sell packs, so any refund or dispute of the payment
    removes the pack (staff can grant credits back by hand, e.g. after a won dispute)."""
    status = PurchaseStatus.DISPUTED if session.disputed else PurchaseStatus.REFUNDED
    purchase.status = status
    purchase.reversed_at = now
    purchase.save(update_fields=["status", "reversed_at"])
    append(
        wallet,
        kind=Kind.CHARGEBACK,
        pool=Pool.PAID,
        amount=-purchase.credits,
        now=now,
        reason=f"Payment {status.label.lower()}: {purchase.credits} credits removed",
        stripe_object_id=session.id,
    )
    cache_add(wallet, pool=Pool.PAID, amount=-purchase.credits)


# --- Stripe: webhooks -------------------------------------------------------------------------

SESSION_EVENTS = ("checkout.session.completed", "checkout.session.async_payment_succeeded")
CHARGE_EVENTS = ("charge.refunded", "charge.dispute.created")


def stripe_event_handle(*, event: stripe_client.Event) -> None:
    """Record the event id once and act on the types we handle; others are only recorded.
    An event already processed is skipped; one whose handling failed is handled again on
    Stripe's retry (handling is idempotent, so a concurrent duplicate is harmless too)."""
    record, _ = StripeEvent.objects.get_or_create(event_id=event.id, defaults={"type": event.type})
    if record.processed_at is not None:
        return
    session_id = _session_id_of(event)
    if session_id:
        purchase_sync(session_id=session_id)
    StripeEvent.objects.filter(pk=record.pk, processed_at__isnull=True).update(
        processed_at=timezone.now()
    )


def _session_id_of(event: stripe_client.Event) -> str | None:
    """Which Checkout Session an event is about: the only thing taken from its payload."""
    if event.type in SESSION_EVENTS:
        return str(event.object.get("id") or "") or None
    if event.type == "charge.refunded":
        charge_id = event.object.get("id")
    elif event.type == "charge.dispute.created":
        charge_id = event.object.get("charge")
    else:
        return None
    if not charge_id:
        return None
    return stripe_client.checkout_session_id_for_charge(str(charge_id))
