"""Stripe top-ups end to end against the local Stripe stand-in: the buy button opens a Checkout
Session, webhooks are verified on the raw body (signed exactly as Stripe signs), the session is
re-fetched from Stripe, and a paid session is credited exactly once whatever arrives, however
often, in whatever order. Refunds and disputes take the pack back once."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection
from django.test import Client, override_settings

from billing import payments, selectors, services
from billing.models import Kind, LedgerEntry, Purchase, PurchaseStatus, StripeEvent
from tests.billing.conftest import deliver, ledger_paid, paid, reserve
from tests.personas import Persona
from tests.stripe_standin import StripeStandIn

pytestmark = pytest.mark.django_db


def _checkout(client: Client, stripe: StripeStandIn) -> str:
    """Press "Buy 50 credits — $5"; answers the session id the user is sent to Stripe with."""
    response = client.post("/billing/checkout")
    assert response.status_code == 303
    assert response["Location"].startswith(f"{stripe.base_url}/checkout/cs_test_")
    return response["Location"].rsplit("/", 1)[-1]


def _session_event(stripe: StripeStandIn, session_id: str, type_: str) -> dict[str, Any]:
    return stripe.event(type_, stripe.session_get(session_id, expand=[]))


def _charge_of(stripe: StripeStandIn, session_id: str) -> str:
    intent = stripe.session_get(session_id, expand=["payment_intent"])["payment_intent"]
    return str(intent["latest_charge"])


# --- starting a checkout ------------------------------------------------------------------------


def test_it_starts_a_checkout_session_for_one_pack_with_the_user_in_metadata(
    alice: Persona, alice_client: Client, stripe: StripeStandIn
) -> None:
    session_id = _checkout(alice_client, stripe)
    session = stripe.sessions[session_id]
    assert session["mode"] == "payment"
    assert (session["amount_total"], session["currency"]) == (500, "usd")
    assert session["client_reference_id"] == str(alice.user.pk)
    assert session["metadata"] == {"user_id": str(alice.user.pk), "credits": "50"}
    assert session["success_url"].endswith(
        "/billing/checkout/success?session_id={CHECKOUT_SESSION_ID}"
    )
    assert paid(alice.user) == 0  # nothing is credited before Stripe says it is paid


def test_it_credits_fifty_when_the_customer_comes_back_from_paying(
    alice: Persona, alice_client: Client, stripe: StripeStandIn
) -> None:
    session_id = _checkout(alice_client, stripe)
    # The customer pays on the (stand-in's) hosted page, which sends them back to success_url.
    page = f"{stripe.base_url}/checkout/{session_id}"
    hosted = requests.get(page, allow_redirects=False, timeout=10)
    back = urlsplit(hosted.headers["Location"])
    assert back.path == "/billing/checkout/success"
    assert back.query == f"session_id={session_id}"
    response = alice_client.get(f"{back.path}?{back.query}", follow=True)
    assert "50 credits were added" in response.content.decode()
    assert paid(alice.user) == 50
    alice_client.get(f"/billing/checkout/success?session_id={session_id}")  # a reload
    assert paid(alice.user) == 50
    assert ledger_paid(alice.user) == 50


def test_it_does_not_credit_an_unpaid_session_on_the_success_page(
    alice: Persona, alice_client: Client, stripe: StripeStandIn
) -> None:
    session_id = _checkout(alice_client, stripe)
    alice_client.get(f"/billing/checkout/success?session_id={session_id}")
    assert paid(alice.user) == 0
    assert not Purchase.objects.exists()


def test_it_tells_the_user_when_stripe_cannot_be_reached(
    alice: Persona, alice_client: Client, stripe: StripeStandIn
) -> None:
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9"):  # nothing listens there
        response = alice_client.post("/billing/checkout", follow=True)
    assert "The payment page could not be opened" in response.content.decode()


# --- webhook authenticity -----------------------------------------------------------------------


@pytest.fixture
def paid_session(alice_client: Client, stripe: StripeStandIn) -> str:
    session_id = _checkout(alice_client, stripe)
    stripe.pay(session_id)
    return session_id


def test_it_refuses_a_webhook_signed_with_another_secret(
    alice: Persona, client: Client, stripe: StripeStandIn, paid_session: str
) -> None:
    event = _session_event(stripe, paid_session, "checkout.session.completed")
    assert deliver(client, event, secret="whsec_somebody_else").status_code == 400
    assert paid(alice.user) == 0
    assert not StripeEvent.objects.exists()


def test_it_refuses_a_webhook_whose_body_was_changed_after_signing(
    alice: Persona, client: Client, stripe: StripeStandIn, paid_session: str
) -> None:
    from django.conf import settings

    from tests.stripe_standin import signature_header

    body = json.dumps(_session_event(stripe, paid_session, "checkout.session.completed"))
    header = signature_header(body.encode(), settings.STRIPE_WEBHOOK_SECRET)
    tampered = body.replace("checkout.session.completed", "checkout.session.completed ")
    response = client.post(
        "/billing/stripe/webhook", tampered, "application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert response.status_code == 400
    unsigned = client.post("/billing/stripe/webhook", body, "application/json")
    assert unsigned.status_code == 400
    assert paid(alice.user) == 0


def test_it_refuses_a_stale_webhook(
    alice: Persona, client: Client, stripe: StripeStandIn, paid_session: str
) -> None:
    event = _session_event(stripe, paid_session, "checkout.session.completed")
    ten_minutes_ago = int(time.time()) - 600
    assert deliver(client, event, timestamp=ten_minutes_ago).status_code == 400
    assert paid(alice.user) == 0
    assert deliver(client, event).status_code == 200  # the same event, freshly signed
    assert paid(alice.user) == 50


def test_it_records_and_ignores_event_types_it_does_not_handle(
    client: Client, stripe: StripeStandIn
) -> None:
    event = stripe.event("customer.created", {"id": "cus_123", "object": "customer"})
    assert deliver(client, event).status_code == 200
    assert deliver(client, event).status_code == 200
    assert list(StripeEvent.objects.values_list("event_id", "type")) == [
        (event["id"], "customer.created")
    ]


def test_it_trusts_stripe_not_the_payload_about_whether_a_session_is_paid(
    alice: Persona, alice_client: Client, client: Client, stripe: StripeStandIn
) -> None:
    """A genuine but early event (the session is not paid at Stripe yet) credits nothing."""
    session_id = _checkout(alice_client, stripe)
    event = _session_event(stripe, session_id, "checkout.session.completed")
    event["data"]["object"]["payment_status"] = "paid"  # what the payload claims
    assert deliver(client, event).status_code == 200
    assert paid(alice.user) == 0
    assert stripe.calls(f"/v1/checkout/sessions/{session_id}") >= 1  # it asked Stripe


def test_it_answers_503_so_stripe_retries_when_stripe_cannot_be_asked(
    alice: Persona, client: Client, stripe: StripeStandIn, paid_session: str
) -> None:
    event = _session_event(stripe, paid_session, "checkout.session.completed")
    with override_settings(STRIPE_API_BASE="http://127.0.0.1:9"):
        assert deliver(client, event).status_code == 503
    assert paid(alice.user) == 0
    assert deliver(client, event).status_code == 200  # Stripe's retry
    assert paid(alice.user) == 50


# --- exactly once -------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_credits_once_for_five_concurrent_deliveries_and_the_success_page(
    alice: Persona, alice_client: Client, stripe: StripeStandIn
) -> None:
    session_id = _checkout(alice_client, stripe)
    stripe.pay(session_id)
    completed = _session_event(stripe, session_id, "checkout.session.completed")
    retried = [completed] * 3  # Stripe's redeliveries of one event …
    others = [_session_event(stripe, session_id, "checkout.session.completed") for _ in range(2)]
    calls: list[Callable[[], int]] = [
        *(lambda e=e: deliver(Client(), e).status_code for e in retried + others),
        lambda: alice_client.get(f"/billing/checkout/success?session_id={session_id}").status_code,
    ]
    statuses = _all_at_once(calls)
    assert statuses == [200] * 5 + [302]
    assert paid(alice.user) == 50
    assert Purchase.objects.filter(stripe_session_id=session_id).count() == 1
    assert LedgerEntry.objects.filter(user=alice.user, kind=Kind.PURCHASE).count() == 1
    assert StripeEvent.objects.count() == 3
    assert selectors.wallet_mismatches() == []


def _all_at_once(calls: list[Callable[[], int]]) -> list[int]:
    barrier = threading.Barrier(len(calls))
    results: list[int] = [0] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = calls[index]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_it_credits_a_delayed_payment_when_it_succeeds(
    alice: Persona, alice_client: Client, client: Client, stripe: StripeStandIn
) -> None:
    session_id = _checkout(alice_client, stripe)
    stripe.pay(session_id, delayed=True)  # a bank debit: complete but not paid yet
    completed = _session_event(stripe, session_id, "checkout.session.completed")
    assert deliver(client, completed).status_code == 200
    assert paid(alice.user) == 0
    stripe.async_succeed(session_id)
    succeeded = _session_event(stripe, session_id, "checkout.session.async_payment_succeeded")
    assert deliver(client, succeeded).status_code == 200
    assert paid(alice.user) == 50
    assert deliver(client, completed).status_code == 200  # a late redelivery changes nothing
    assert paid(alice.user) == 50


EVENTS = ("checkout.session.completed", "charge.refunded", "charge.dispute.created")


@pytest.mark.parametrize("order", list(itertools.permutations(EVENTS)), ids="-".join)
def test_it_ends_in_the_same_balance_whatever_order_the_events_arrive_in(
    order: tuple[str, ...],
    alice: Persona,
    alice_client: Client,
    client: Client,
    stripe: StripeStandIn,
) -> None:
    """Paid, then refunded, then disputed at Stripe; the events arrive shuffled (and twice)."""
    session_id = _checkout(alice_client, stripe)
    charge_id = stripe.pay(session_id)
    refunded_charge = stripe.refund(charge_id)
    dispute = stripe.dispute(charge_id)
    events = {
        "checkout.session.completed": _session_event(stripe, session_id, EVENTS[0]),
        "charge.refunded": stripe.event("charge.refunded", refunded_charge),
        "charge.dispute.created": stripe.event("charge.dispute.created", dispute),
    }
    for name in order + order:
        assert deliver(client, events[name]).status_code == 200
    assert paid(alice.user) == 0
    assert ledger_paid(alice.user) == 0
    purchase = Purchase.objects.get(stripe_session_id=session_id)
    # Stripe already has the charge refunded *and* disputed whichever event comes first, and the
    # books follow Stripe, not the event: the dispute is what the purchase shows.
    assert purchase.status == PurchaseStatus.DISPUTED
    assert LedgerEntry.objects.filter(user=alice.user, kind=Kind.PURCHASE).count() == 1
    assert LedgerEntry.objects.filter(user=alice.user, kind=Kind.CHARGEBACK).count() == 1


@pytest.mark.parametrize("reversal", ["refund", "dispute"])
def test_it_takes_back_spent_credits_into_a_negative_balance_that_blocks_use(
    reversal: str, alice: Persona, alice_client: Client, client: Client, stripe: StripeStandIn
) -> None:
    session_id = _checkout(alice_client, stripe)
    charge_id = stripe.pay(session_id)
    deliver(client, _session_event(stripe, session_id, "checkout.session.completed"))
    for _ in range(10 + 30):  # the day's free credits, then 30 of the 50 paid ones
        reserve(alice.user)
    assert paid(alice.user) == 20
    if reversal == "refund":
        event = stripe.event("charge.refunded", stripe.refund(charge_id))
    else:
        event = stripe.event("charge.dispute.created", stripe.dispute(charge_id))
    assert deliver(client, event).status_code == 200
    assert paid(alice.user) == -30
    with pytest.raises(services.NoCredits):
        reserve(alice.user)
    assert selectors.credits_remaining(user=alice.user) == 0
    assert selectors.wallet_mismatches() == []


def test_it_takes_the_whole_pack_back_on_a_partial_refund(
    alice: Persona, alice_client: Client, client: Client, stripe: StripeStandIn
) -> None:
    session_id = _checkout(alice_client, stripe)
    charge_id = stripe.pay(session_id)
    deliver(client, _session_event(stripe, session_id, "checkout.session.completed"))
    deliver(client, stripe.event("charge.refunded", stripe.refund(charge_id, amount=100)))
    assert paid(alice.user) == 0


def test_it_ignores_sessions_that_are_not_diffall_credit_packs(
    alice: Persona, stripe: StripeStandIn
) -> None:
    session = stripe.session_create(
        {"mode": "payment", "success_url": "https://elsewhere.example/ok",
         "line_items": [{"quantity": "1", "price_data": {"currency": "usd", "unit_amount": "900"}}]}
    )  # fmt: skip
    stripe.pay(session["id"])
    assert payments.purchase_sync(session_id=session["id"]) is None
    assert not Purchase.objects.exists()
