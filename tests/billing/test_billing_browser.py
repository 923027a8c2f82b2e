"""The buy journey in headless Chromium: the balance panel, "Buy 50 credits — $5", Stripe's
(stand-in's) hosted payment page, back to the site with the credits added; and the sales console's
customer page as a superuser sees it. Screenshots land in test-artifacts/<test name>/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, override_settings
from playwright.sync_api import Page, expect

from accounts.models import User
from billing import selectors
from tests.billing.conftest import reserve
from tests.conftest import ARTIFACTS
from tests.personas import Persona
from tests.stripe_standin import StripeStandIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page: Page, user: User, base_url: str) -> None:
    """Reuse a Django session in the browser (sign-in itself is the accounts tests' business)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def _shot(page: Page, name: str, step: str) -> None:
    folder = ARTIFACTS / name
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{step}.png"), full_page=True)


def test_it_buys_fifty_credits_through_stripe_checkout(
    page: Page, live_server: Any, alice: Persona, stripe: StripeStandIn
) -> None:
    with override_settings(SITE_URL=live_server.url):
        _sign_in(page, alice.user, live_server.url)
        page.goto(f"{live_server.url}/")
        panel = page.locator("#balance")
        expect(panel).to_contain_text("10 of 10 free left today")
        expect(panel).to_contain_text("0 paid credits")
        _shot(page, "billing_buy_journey", "1-home")

        page.get_by_role("button", name="Buy 50 credits — $5").click()  # → Stripe → back
        page.wait_for_url(re.compile(r"/account$"))
        expect(page.locator(".messages")).to_contain_text("50 credits were added")
        expect(page.locator("#purchases")).to_contain_text("$5.00")
        _shot(page, "billing_buy_journey", "2-account")

        page.goto(f"{live_server.url}/")
        expect(page.locator("#balance")).to_contain_text("50 paid credits")
    assert selectors.balance_for(user=alice.user).paid == 50


def test_it_shows_a_superuser_the_customer_page_and_every_table(
    page: Page, live_server: Any, alice: Persona, carol: Persona
) -> None:
    """Superusers use the same console as sales (tests/browser/test_sales_console.py walks it)
    and also find every raw table under "Everything"."""
    for media_type in ("image", "image", "video", "text"):
        reserve(alice.user, media_type=media_type)
    _sign_in(page, carol.user, live_server.url)
    page.goto(f"{live_server.url}/admin/")
    sections = page.locator(".console-sections")
    expect(sections).to_contain_text("Everything (superusers)")
    for table in ("Users", "Groups", "Sites", "Stripe events", "Comparisons", "API keys"):
        expect(sections).to_contain_text(table)
    _shot(page, "billing_sales_console_superuser", "0-home")
    page.goto(f"{live_server.url}/admin/billing/customeraccount/?q=alice")
    page.get_by_role("link", name="alice@example.com").click()
    expect(page.locator("body")).to_contain_text("6 free left today")
    expect(page.locator("#usage")).to_contain_text("4 comparisons in 30 days")
    credits = page.locator("#credits")
    credits.get_by_label("Credits").fill("20")
    credits.get_by_label("Reason").fill("Trial extension agreed by phone")
    credits.get_by_role("button", name="Grant credits").click()
    expect(page.locator(".messagelist")).to_contain_text("balance 0 → 20")
    _shot(page, "billing_sales_console_superuser", "1-after-grant")
    assert selectors.balance_for(user=alice.user).paid == 20
