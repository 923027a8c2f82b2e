"""The page allauth shows when sign-in, sign-up or password reset is rate-limited: the site's own
frame, saying what happened and what to do, at desktop and phone widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Screenshot, assert_site_styled


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 375])
def test_it_shows_too_many_attempts_in_the_site_frame(
    page: Page, live_server, screenshot: Screenshot, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    for _ in range(6):  # the sixth reset email to one address within a minute is refused
        page.goto(live_server.url + "/accounts/password/reset/")
        page.fill("input[name=email]", "someone@example.com")
        page.click("button[type=submit]")
    assert page.locator("h2").inner_text() == "Too many attempts"
    assert_site_styled(page)
    assert page.get_by_role("link", name="reset it by email").is_visible()
    screenshot(page, f"too-many-attempts-{width}")
