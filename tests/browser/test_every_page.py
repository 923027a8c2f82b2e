"""Every page of the website, signed out and signed in — including a result page of every kind
that exists today, History, Pricing, the account and key pages, API docs, contact sales, sign
in/up and the 404 — fits a 375 px wide phone, logs no console error under the real CSP, opens no
dialog, and passes axe-core with no serious or critical violation. Screenshots of each at 375
and 1280 px land in test-artifacts/every_page_*/ for a person to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from accounts import services as accounts
from accounts.models import User
from tests.browser import site_data
from tests.browser.pagecheck import check_pages, session_cookies

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_signed_out_page_fits_a_phone_and_passes_axe(
    browser: Browser, live_server: Any
) -> None:
    pages: list[tuple[str, Any]] = [
        ("home", "/"),
        ("pricing", "/pricing"),
        ("api-docs", "/api"),
        ("contact-sales", "/billing/contact-sales"),
        ("sign-in", "/accounts/login/"),
        ("sign-up", "/accounts/signup/"),
        ("password-reset", "/accounts/password/reset/"),
        ("not-found", "/no-such-page"),
    ]
    problems = check_pages(browser, live_server.url, [], pages, "every_page_signed_out")
    assert not problems, "\n".join(problems)


def _create_key(page: Page, base: str) -> None:
    page.goto(f"{base}/keys/new")
    page.fill("input[name=name]", "Nightly <b>visual</b> diff")
    page.click("form button[type=submit]")


@pytest.mark.worker
def test_every_signed_in_page_fits_a_phone_and_passes_axe(
    browser: Browser, live_server: Any, persona: User, images: dict[str, Path],
    celery_worker: Any, tmp_path: Path,
) -> None:  # fmt: skip
    jobs = site_data.build(persona, images, tmp_path)
    api_key, _ = accounts.api_key_create(user=persona, name="CI pipeline")
    results = [(f"result-{name}", f"/c/{job.id}") for name, job in jobs.items()]
    pages: list[tuple[str, Any]] = [
        ("home", "/"),
        ("history", "/history"),
        ("history-images", "/history?type=image"),
        ("history-nothing-found", "/history?q=zzzz"),
        ("account", "/account"),
        ("webhooks", "/account/webhooks"),
        ("credit-activity", "/billing/history"),
        ("pricing", "/pricing"),
        ("api-docs", "/api"),
        ("contact-sales", "/billing/contact-sales"),
        ("key-new", "/keys/new"),
        ("key-created", _create_key),
        ("key-revoke", f"/keys/{api_key.public_id}/revoke"),
        ("delete-confirm", f"/c/{jobs['image'].id}/delete"),
        ("email-addresses", "/accounts/email/"),
        ("password-change", "/accounts/password/change/"),
        ("not-found", "/c/00000000-0000-4000-8000-000000000000"),
        *results,
    ]
    cookies = session_cookies(persona, live_server.url)
    problems = check_pages(browser, live_server.url, cookies, pages, "every_page_signed_in")
    assert not problems, "\n".join(problems)
    assert {job.status for name, job in jobs.items() if name != "failed"} == {"done"}
    assert jobs["failed"].status == "error"
