"""Out of credits on the website: the comparator is disabled under a panel with a working Buy
button; buying through Stripe (the local stand-in, on the host the user is on) adds the pack, and
the next comparison runs."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from billing import selectors
from tests.billing.conftest import stripe, stripe_server  # noqa: F401 (fixtures)
from tests.browser.pagecheck import check_pages, session_cookies
from tests.stripe_standin import StripeStandIn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def compare(page: Page, images: dict[str, Any], a: str, b: str) -> None:
    page.set_input_files("#file1", str(images[a]))
    page.set_input_files("#file2", str(images[b]))
    page.click("#compare-button")
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}$"))
    expect(page.locator("#score")).to_be_visible()


@override_settings(FREE_CREDITS_PER_DAY=1, SITE_URL="")
def test_it_runs_out_of_credits_buys_a_pack_and_compares_again(
    signed_in_page: Page, browser: Browser, live_server: Any, persona: User,
    images: dict[str, Any], stripe: StripeStandIn, screenshot: Any,  # noqa: F811
) -> None:  # fmt: skip
    page, base = signed_in_page, live_server.url
    expect(page.locator("#paywall")).to_have_count(0)
    compare(page, images, "astronaut", "astronaut_edited")  # the day's one free credit

    page.goto(f"{base}/")
    paywall = page.locator("#paywall")
    expect(paywall).to_contain_text("You are out of credits for today")
    expect(page.locator("#compare-button")).to_be_disabled()
    expect(page.locator("#file1")).to_be_disabled()
    screenshot(page, "paywall")
    page.set_viewport_size({"width": 375, "height": 812})
    screenshot(page, "paywall-375")
    page.set_viewport_size({"width": 1280, "height": 860})
    cookies = session_cookies(persona, base)
    problems = check_pages(browser, base, cookies, [("paywall", "/")], "paywall_journey")
    assert not problems, "\n".join(problems)

    paywall.get_by_role("button", name="Buy 50 credits — $5").click()  # → Stripe → back
    page.wait_for_url(re.compile(r"/account$"))
    assert page.url.startswith(base)  # Stripe returned to the host the user is on
    expect(page.locator(".messages")).to_contain_text("50 credits were added")
    screenshot(page, "bought")

    page.goto(f"{base}/")
    expect(page.locator("#paywall")).to_have_count(0)
    expect(page.locator("#compare-button")).to_be_enabled()
    compare(page, images, "astronaut", "coffee")
    screenshot(page, "compared-again")
    balance = selectors.balance_for(user=persona)
    assert (balance.free_left_today, balance.paid) == (0, 49)


@override_settings(FREE_CREDITS_PER_DAY=0, STRIPE_SECRET_KEY="")
def test_without_stripe_the_paywall_says_purchases_are_unavailable(
    signed_in_page: Page, live_server: Any, screenshot: Any
) -> None:
    page = signed_in_page
    page.goto(f"{live_server.url}/")
    expect(page.locator("#paywall")).to_contain_text("Purchases are unavailable right now")
    expect(page.locator("#paywall button")).to_have_count(0)
    assert "STRIPE" not in page.content()
    screenshot(page, "paywall-no-stripe")
