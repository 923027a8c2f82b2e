"""What users see: the balance panel on the home page, the purchase history, "Contact sales"."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from billing import services
from billing.models import EnterpriseInquiry, Purchase
from tests.billing.conftest import owe, reserve
from tests.personas import Persona
from tests.stripe_standin import StripeStandIn

pytestmark = pytest.mark.django_db


def _balance_panel(client: Client) -> str:
    html = client.get("/").content.decode()
    found = re.search(r'<div class="card" id="balance">.*?</div>', html, re.S)
    assert found, "the home page has no balance panel"
    return re.sub(r"\s+", " ", found.group(0))


def test_it_shows_free_left_today_paid_credits_and_the_buy_button(
    alice: Persona, alice_client: Client, carol: Persona
) -> None:
    services.credits_grant_admin(user=alice.user, amount=12, reason="test", staff=carol.user)
    reserve(alice.user)
    panel = _balance_panel(alice_client)
    assert '<strong data-testid="free-left">9</strong> of 10 free left today' in panel
    assert '<strong data-testid="paid">12</strong> paid credits' in panel
    assert "Buy 50 credits — $5</button>" in panel
    assert 'action="/billing/checkout"' in panel
    assert 'href="/billing/history"' in panel and 'href="/billing/contact-sales"' in panel


def test_it_shows_unlimited_for_enterprise_accounts(
    alice: Persona, alice_client: Client, carol: Persona
) -> None:
    services.plan_set_enterprise(user=alice.user, staff=carol.user)
    panel = _balance_panel(alice_client)
    assert "Unlimited — Enterprise" in panel
    assert "Buy 50 credits" not in panel


def test_it_warns_when_the_paid_balance_is_negative(
    alice: Persona, alice_client: Client, stripe: StripeStandIn
) -> None:
    owe(alice.user, stripe, 4)
    panel = _balance_panel(alice_client)
    assert '<strong data-testid="paid">-4</strong>' in panel
    assert "below zero" in panel


def test_it_lists_the_users_purchases_and_credit_activity(
    alice: Persona, bob: Persona, alice_client: Client
) -> None:
    Purchase.objects.create(
        user=alice.user,
        stripe_session_id="cs_test_alice",
        credits=50,
        amount_cents=500,
        currency="usd",
    )
    Purchase.objects.create(
        user=bob.user, stripe_session_id="cs_test_bob", credits=50, amount_cents=777, currency="usd"
    )
    reserve(alice.user, media_type="video")
    html = alice_client.get("/billing/history").content.decode()
    assert "$5.00" in html and "$7.77" not in html  # bob's purchase is not alice's business
    assert "Comparison" in html and "(video)" in html
    assert "Daily free grant" in html


def test_it_sends_anonymous_visitors_to_sign_in_for_the_history(client: Client) -> None:
    response = client.get("/billing/history")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_records_a_contact_sales_inquiry_for_staff(alice: Persona, alice_client: Client) -> None:
    form = alice_client.get("/billing/contact-sales").content.decode()
    assert 'value="alice@example.com"' in form  # the signed-in user's email is filled in
    response = alice_client.post(
        "/billing/contact-sales",
        {"name": "Alice Doe", "email": "alice@example.com", "company": "Pixels Ltd",
         "monthly_volume": "20000", "message": "Visual regression for 40 apps."},
        follow=True,
    )  # fmt: skip
    assert "sales will write to you at alice@example.com" in response.content.decode()
    inquiry = EnterpriseInquiry.objects.get()
    assert (inquiry.user, inquiry.company, inquiry.monthly_volume) == (
        alice.user,
        "Pixels Ltd",
        20000,
    )


def test_it_explains_what_is_missing_in_the_contact_form(client: Client) -> None:
    response = client.post("/billing/contact-sales", {"name": "X", "email": "not-an-email"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address" in html
    assert "This field is required" in html  # the message
    assert not EnterpriseInquiry.objects.exists()


@pytest.mark.ratelimits
def test_it_limits_contact_form_posts_per_address(client: Client) -> None:
    data = {"name": "Spam", "email": "spam@example.com", "message": "buy now"}
    for _ in range(5):
        client.post("/billing/contact-sales", data)
    response = client.post("/billing/contact-sales", data)
    assert "Too many messages" in response.content.decode()
    assert EnterpriseInquiry.objects.count() == 5
