"""The sales console in headless Chromium, as a salesperson uses it: sign in, find a customer, put
them on Enterprise, grant credits, revoke a key, put them back on free, close an inquiry — each
checked afterwards through the API with the customer's own keys — and the pages a Sales user must
not reach. Screenshots of the home and a customer page at 1280 and 375 px land in
test-artifacts/<test name>/."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts import services as accounts
from accounts.models import User
from billing import services
from billing.console import roles
from billing.models import EnterpriseInquiry, InquiryStatus
from tests.browser.conftest import Screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAM_PASSWORD = "sam-sells-unlimited-plans-42"


@dataclass(frozen=True)
class Customer:
    user: User
    ci_key: str  # kept: the key the checks ask /api/v1/me with
    laptop_key: str  # revoked in the test


@pytest.fixture
def customer(transactional_db: None) -> Customer:
    user = User.objects.create_user(email="alice@example.com", password="alice-password-123")
    accounts.email_mark_verified(user=user)
    _, laptop = accounts.api_key_create(user=user, name="Old laptop")
    _, ci = accounts.api_key_create(user=user, name="CI pipeline")
    for media_type in ("image", "image", "video", "text"):
        services.credits_reserve(user=user, comparison_id=uuid.uuid4(), media_type=media_type)
    services.enterprise_inquiry_create(
        name="Alice Martin", email=user.email, company="Pixel Labs", monthly_volume=40000,
        message="We run 40k visual checks a month in CI. Can we go unlimited?", user=user,
    )  # fmt: skip
    return Customer(user=user, ci_key=ci, laptop_key=laptop)


@pytest.fixture
def sam(transactional_db: None) -> User:
    user, _ = roles.sales_user_create(email="sam@diffall.example")
    accounts.user_set_password(user=user, password=SAM_PASSWORD)
    return user


def me(base_url: str, key: str) -> requests.Response:
    return requests.get(f"{base_url}/api/v1/me", headers={"X-API-Key": key}, timeout=10)


def sign_in_to_the_console(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/admin/")
    page.get_by_label("Email address").fill("sam@diffall.example")
    page.get_by_label("Password").fill(SAM_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#site-name")).to_contain_text("sales console")


def both_widths(page: Page, screenshot: Screenshot, step: str) -> None:
    """Screenshots at 1280 and 375 px wide, then back to 1280."""
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 860})
        screenshot(page, f"{step}-{width}")
    page.set_viewport_size({"width": 1280, "height": 860})


def test_a_salesperson_runs_a_customer_from_the_console(
    page: Page, live_server: Any, sam: User, customer: Customer, screenshot: Screenshot
) -> None:
    base = live_server.url
    sign_in_to_the_console(page, base)
    expect(page).to_have_title(re.compile(r"DiffALL sales console"))
    expect(page.locator("[data-figure=sign-ups] strong")).to_have_text("1")
    expect(page.locator("[data-figure=comparisons] strong")).to_have_text("4")
    expect(page.locator("[data-figure=inquiries] strong")).to_have_text("1")
    both_widths(page, screenshot, "home")

    # Find the customer.
    page.get_by_label("Find a customer").fill("alice")
    page.get_by_role("button", name="Search").click()
    screenshot(page, "customers-found")
    page.get_by_role("link", name="alice@example.com").click()
    expect(page.locator("h1")).to_have_text("alice@example.com")
    expect(page.locator("#paid-now")).to_contain_text("0")

    # Enterprise until a date.
    until = f"{timezone.now() + timedelta(days=90):%Y-%m-%d}"
    page.get_by_label("Enterprise until").fill(until)
    page.get_by_role("button", name="Put on Enterprise").click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"Put alice@example.com on Enterprise until {until} (was: Free)."
    )
    body = me(base, customer.ci_key).json()
    assert (body["plan"], body["enterprise_until"]) == ("enterprise", until)

    # Grant credits: the balance after shows while typing, the message says before → after.
    credits = page.locator("#credits")
    credits.get_by_label("Credits").fill("50")
    credits.get_by_label("Reason").fill("Pilot: 50 credits agreed by phone")
    expect(credits.locator(".balance-after")).to_contain_text("after: 50")
    credits.get_by_role("button", name="Grant credits").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Granted 50 credits to alice@example.com: balance 0 → 50."
    )
    assert me(base, customer.ci_key).json()["paid_credits"] == 50

    # Removing more than the balance is refused, in words.
    credits = page.locator("#credits")
    credits.get_by_label("Remove").check()
    credits.get_by_label("Credits").fill("80")
    credits.get_by_label("Reason").fill("typo")
    expect(credits.locator(".balance-after")).to_contain_text("will be refused")
    credits.get_by_role("button", name="Remove credits").click()
    expect(page.locator("#credits")).to_contain_text(
        "Cannot remove 80 credits from alice@example.com: the paid balance is 50."
    )
    assert me(base, customer.ci_key).json()["paid_credits"] == 50

    # Revoke a key, after a confirmation; it stays listed, marked revoked.
    page.locator("tr", has_text="Old laptop").get_by_role("link", name="Revoke…").click()
    expect(page.locator("h1")).to_contain_text("Revoke the key “Old laptop”")
    screenshot(page, "confirm-revoke")
    page.get_by_role("button", name="Yes, revoke this key").click()
    expect(page.locator(".messagelist")).to_contain_text("requests with it now get 401")
    expect(page.locator("tr", has_text="Old laptop")).to_contain_text("Revoked")
    assert me(base, customer.laptop_key).status_code == 401
    assert me(base, customer.ci_key).status_code == 200

    # Back to free, after a confirmation.
    page.get_by_role("link", name="Back to free…").click()
    expect(page.locator("h1")).to_have_text("Put alice@example.com back on the free plan?")
    page.get_by_role("button", name="Yes, back to free").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Put alice@example.com back on the free plan"
    )
    body = me(base, customer.ci_key).json()
    assert (body["plan"], body["enterprise_until"], body["paid_credits"]) == ("free", None, 50)

    history = page.locator("#history")
    for line in ("Plan: Free → Enterprise until", "Granted 50 credits: balance 0 → 50.",
                 "Revoked the API key “Old laptop”", "→ Free."):  # fmt: skip
        expect(history).to_contain_text(line)
    both_widths(page, screenshot, "customer")

    # Close the customer's inquiry from their page.
    page.locator("#inquiries").get_by_role("link").first.click()
    expect(page.locator("h1")).to_have_text("Inquiry from Alice Martin")
    screenshot(page, "inquiry")
    page.get_by_label("Status").select_option("closed")
    page.get_by_role("button", name="Save", exact=True).click()
    inquiry = EnterpriseInquiry.objects.get()
    assert inquiry.status == InquiryStatus.CLOSED
    page.goto(f"{base}/admin/")
    expect(page.locator("[data-figure=inquiries] strong")).to_have_text("0")


def test_a_salesperson_cannot_reach_users_staff_flags_or_sites(
    page: Page, live_server: Any, sam: User, customer: Customer, screenshot: Screenshot
) -> None:
    base = live_server.url
    sign_in_to_the_console(page, base)
    for url in (
        f"/admin/accounts/user/{customer.user.pk}/change/",  # a customer's email and password
        f"/admin/accounts/user/{sam.pk}/change/",  # their own staff and superuser flags
        f"/admin/accounts/user/{customer.user.pk}/password/",
        "/admin/sites/site/",
        "/admin/auth/group/",
    ):
        response = page.goto(f"{base}{url}")
        assert response is not None and response.status == 403, url
    screenshot(page, "forbidden")
    nav = page.goto(f"{base}/admin/")
    assert nav is not None and nav.status == 200
    sections = page.locator(".console-sections")
    expect(sections).to_contain_text("Customers")
    for hidden in ("Users", "Groups", "Sites", "Stripe events", "Comparisons", "API keys"):
        expect(sections).not_to_contain_text(hidden)
