"""With the embedded default (no SMTP server), a new account signs up and is signed in at once:
no email round trip stands between `make run` and the first comparison."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_site_styled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_account_is_signed_in_straight_after_signing_up(
    page: Page, live_server: Any, screenshot: Any
) -> None:
    page.goto(f"{live_server.url}/accounts/signup/")
    assert_site_styled(page)
    page.fill("input[name=email]", "gina@example.com")
    page.fill("input[name=password1]", "gina-compares-two-files")
    page.fill("input[name=password2]", "gina-compares-two-files")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("button", name="Sign out")).to_be_visible()
    expect(nav.get_by_role("link", name="Account")).to_be_visible()
    expect(page.locator("#compare-button")).to_be_enabled()
    screenshot(page, "signed-up")
