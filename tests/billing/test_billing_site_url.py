"""Links that leave a request — Stripe's return URLs, the API's "buy more" hint — point at the
host the user is on unless the operator set SITE_URL; a server without Stripe keys says that
purchases are unavailable (naming no setting) and tells the operator why in its log, once."""

from __future__ import annotations

import logging

import pytest
from django.test import Client, override_settings

from billing import stripe_client
from tests.personas import Persona
from tests.stripe_standin import StripeStandIn

pytestmark = pytest.mark.django_db


def only_session(stripe: StripeStandIn) -> dict:  # type: ignore[type-arg]
    assert len(stripe.sessions) == 1
    return next(iter(stripe.sessions.values()))


@override_settings(SITE_URL="")
def test_stripe_returns_to_the_host_the_user_is_on(
    alice: Persona, alice_client: Client, stripe: StripeStandIn
) -> None:
    stripe.sessions.clear()
    response = alice_client.post("/billing/checkout", HTTP_HOST="localhost:8123")
    assert response.status_code == 303
    session = only_session(stripe)
    assert session["success_url"].startswith("http://localhost:8123/billing/checkout/success?")
    assert session["cancel_url"] == "http://localhost:8123/billing/checkout/cancel"


@override_settings(SITE_URL="https://diff-all.example")
def test_stripe_returns_to_site_url_when_it_is_set(
    alice: Persona, alice_client: Client, stripe: StripeStandIn
) -> None:
    stripe.sessions.clear()
    alice_client.post("/billing/checkout", HTTP_HOST="localhost:8123")
    assert only_session(stripe)["success_url"].startswith("https://diff-all.example/billing/")


@override_settings(STRIPE_SECRET_KEY="")
def test_without_stripe_keys_the_customer_reads_purchases_are_unavailable(
    alice: Persona, alice_client: Client, caplog: pytest.LogCaptureFixture, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(stripe_client, "_not_configured_logged", False)  # a fresh process
    caplog.set_level(logging.ERROR, logger="billing.stripe_client")
    pages = [
        alice_client.post("/billing/checkout", follow=True).content.decode(),
        alice_client.post("/billing/checkout", follow=True).content.decode(),
        alice_client.get("/pricing").content.decode(),
        alice_client.get("/account").content.decode(),
    ]
    assert "Purchases are unavailable right now; nothing was charged." in pages[0]
    for html in pages:
        assert "STRIPE" not in html and "Try again" not in html
        assert "Purchases are unavailable right now" in html
    assert "Buy 50 credits — $5</button>" not in pages[2] + pages[3]
    errors = [r for r in caplog.records if "STRIPE_SECRET_KEY is not set" in r.getMessage()]
    assert len(errors) == 1  # the operator is told once, not on every page


@override_settings(SITE_URL="", FREE_CREDITS_PER_DAY=0, ALLOWED_HOSTS=["diffall.internal"])
def test_the_apis_402_says_where_to_buy_on_the_host_called(alice: Persona, images: dict) -> None:
    from accounts import services

    _, raw = services.api_key_create(user=alice.user, name="ci")
    with images["astronaut"].open("rb") as a, images["coffee"].open("rb") as b:
        response = Client().post(
            "/api/v1/compare", {"file1": a, "file2": b},
            headers={"X-API-Key": raw}, HTTP_HOST="diffall.internal:9000",
        )  # fmt: skip
    assert response.status_code == 402
    detail = response.json()["detail"]
    assert detail.endswith("Buy credits at http://diffall.internal:9000/pricing")
    assert "127.0.0.1:8000" not in detail
