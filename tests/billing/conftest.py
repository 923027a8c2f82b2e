"""Staff personas and helpers for the billing tests.

alice and bob (customers) and carol (a superuser) are tests/personas.py's. Here: sam is a Sales
user (staff in the Sales group, made the way `manage.py create_sales_user` makes one), dave signed
up but is not staff.
`at(...)` builds the UTC instants the day-boundary tests pass down as `now`; `stripe` is the local
Stripe stand-in (tests/stripe_standin.py) that billing/stripe_client.py talks to in these tests.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings

from accounts.models import User
from billing import selectors, services
from billing.console import roles
from billing.models import LedgerEntry, Pool
from tests.personas import PASSWORD
from tests.stripe_standin import StripeStandIn, signature_header


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """An instant in November 2026, UTC."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def new_comparison() -> uuid.UUID:
    return uuid.uuid4()


def reserve(user: User, now: datetime | None = None, media_type: str = "image") -> uuid.UUID:
    comparison_id = new_comparison()
    services.credits_reserve(user=user, comparison_id=comparison_id, media_type=media_type, now=now)
    return comparison_id


def ledger_paid(user: User) -> int:
    return sum(e.amount for e in LedgerEntry.objects.filter(user=user, pool=Pool.PAID))


def paid(user: User) -> int:
    return selectors.balance_for(user=user).paid


@pytest.fixture
def sam(db: None) -> User:
    user, _ = roles.sales_user_create(email="sam@diffall.example")
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


@pytest.fixture
def sam_client(sam: User) -> Client:
    client = Client()
    client.force_login(sam)
    return client


@pytest.fixture
def dave(db: None) -> User:
    return User.objects.create_user(email="dave@example.com", password=PASSWORD)


@pytest.fixture(scope="session")
def stripe_server() -> Iterator[StripeStandIn]:
    standin = StripeStandIn(api_key=settings.STRIPE_SECRET_KEY).start()
    yield standin
    standin.stop()


@pytest.fixture
def stripe(stripe_server: StripeStandIn) -> Iterator[StripeStandIn]:
    """The stand-in, with billing/stripe_client.py pointed at it for this test."""
    with override_settings(STRIPE_API_BASE=stripe_server.base_url):
        yield stripe_server


def deliver(
    client: Client, event: dict[str, Any], secret: str | None = None, timestamp: int | None = None
) -> Any:
    """POST a webhook event signed exactly as Stripe signs it."""
    body = json.dumps(event).encode()
    header = signature_header(body, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp)
    return client.post(
        "/billing/stripe/webhook",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def owe(user: User, stripe: StripeStandIn, credits: int) -> None:
    """Leave `user` owing `credits` the only way a balance goes below zero: buy a pack, spend the
    day's free credits and `credits` paid ones, then have the payment refunded (through the
    Stripe stand-in and billing.payments, as a webhook would)."""
    from billing import payments

    started = payments.checkout_start(user=user, site_url="http://testserver")
    session_id = started.rsplit("/", 1)[-1]
    charge_id = stripe.pay(session_id)
    payments.purchase_sync(session_id=session_id)
    for _ in range(settings.FREE_CREDITS_PER_DAY + credits):
        reserve(user)
    stripe.refund(charge_id)
    payments.purchase_sync(session_id=session_id)
    assert paid(user) == settings.CREDIT_PACK_SIZE - credits - settings.CREDIT_PACK_SIZE
