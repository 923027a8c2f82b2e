"""Browser fixtures for every website test: Debian's Chromium driven by Playwright against
pytest-django's `live_server`, screenshots under test-artifacts/, and a signed-in persona.

Tests using these are `@pytest.mark.browser` and `@pytest.mark.django_db(transaction=True)`:
the live server answers from another thread, which cannot see an uncommitted test transaction.

    def test_it_...(signed_in_page, live_server, screenshot):
        signed_in_page.goto(live_server.url + "/")
        screenshot(signed_in_page, "home")
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from accounts import services
from accounts.models import User
from tests.conftest import ARTIFACTS

PERSONA_EMAIL = "erin@example.com"
PERSONA_PASSWORD = "erin-likes-long-passwords-42"

Screenshot = Callable[[Page, str], Path]


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1280, "height": 860}}


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Screenshot:
    """`screenshot(page, "step")` saves test-artifacts/<test name>/NN-step.png (full page)."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    counter = iter(range(1, 100))

    def take(page: Page, step: str) -> Path:
        path = folder / f"{next(counter):02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def assert_site_styled(page: Page) -> None:
    """The page got diffall.css from the live server (its background colour is the site's)."""
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(246, 248, 250)", "static/diffall.css did not load"


@pytest.fixture
def persona(transactional_db: None) -> User:
    """erin: an account with a verified email and a password, ready to sign in."""
    user = User.objects.create_user(email=PERSONA_EMAIL, password=PERSONA_PASSWORD)
    services.email_mark_verified(user=user)
    return user


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    """Sign in through the real sign-in form."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def signed_in_page(page: Page, live_server: Any, persona: User) -> Page:
    """A page signed in as erin, on the home page."""
    sign_in(page, live_server.url, PERSONA_EMAIL, PERSONA_PASSWORD)
    return page
