"""The whole account journey in headless Chromium: sign up, confirm the email, sign in, create an
API key in the panel, use it over real HTTP, revoke it, and see the next call refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from django.core import mail
from django.test import override_settings
from playwright.sync_api import Dialog, Page, expect

from accounts import keys
from tests.browser.conftest import Screenshot, assert_site_styled, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "frank@example.com"
PASSWORD = "frank-compares-files-daily"


def call_me(base_url: str, raw: str) -> requests.Response:
    return requests.get(f"{base_url}/api/v1/me", headers={"X-API-Key": raw}, timeout=10)


def sign_up_and_confirm(page: Page, base: str, screenshot: Screenshot) -> None:
    page.goto(f"{base}/accounts/signup/")
    assert_site_styled(page)
    screenshot(page, "sign-up")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("form button[type=submit]")
    expect(page.locator("h1")).to_have_text(re.compile("Verify Your Email Address"))
    screenshot(page, "verification-sent")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body)
    assert link, mail.outbox[-1].body
    page.goto(link.group(0))
    screenshot(page, "confirm-email")
    page.click("form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("confirmed")


def create_key_in_panel(page: Page, screenshot: Screenshot) -> str:
    panel = page.locator("#api-keys")
    expect(panel).to_contain_text("No keys yet")
    panel.get_by_text("+ New key").click()
    panel.get_by_label("Name").fill("CI pipeline")
    screenshot(page, "new-key-form")
    panel.get_by_role("button", name="Create key").click()
    expect(page.locator("#key-created")).to_contain_text("it will not be shown again")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied ✓")).to_be_visible()
    screenshot(page, "key-shown-once")
    raw = page.input_value("#new-api-key")
    assert page.evaluate("navigator.clipboard.readText()") == raw
    return raw


def revoke_in_panel(page: Page, screenshot: Screenshot) -> str:
    questions: list[str] = []

    def agree(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", agree)
    page.locator("#api-keys").get_by_role("button", name="Revoke").click()
    expect(page.locator(".messages")).to_contain_text("revoked")
    screenshot(page, "key-revoked")
    return questions[0]


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")  # a server with SMTP
def test_it_signs_up_creates_a_key_uses_it_and_revokes_it(
    page: Page, live_server: Any, screenshot: Screenshot
) -> None:
    base = live_server.url
    sign_up_and_confirm(page, base, screenshot)
    sign_in(page, base, EMAIL, PASSWORD)
    screenshot(page, "signed-in-home")
    page.get_by_role("link", name="Account").click()
    raw = create_key_in_panel(page, screenshot)
    assert keys.parse(raw) is not None

    answer = call_me(base, raw)
    assert answer.status_code == 200
    assert answer.json() == {
        "email": EMAIL,
        "key": {"name": "CI pipeline", "hint": f"dk_live_{raw[8:12]}…{raw[-4:]}"},
        "plan": "free",
        "enterprise_until": None,
        "free_left_today": 10,
        "paid_credits": 0,
    }

    page.get_by_role("link", name="Done, I have copied it").click()
    expect(page.locator("#api-keys")).to_contain_text(f"dk_live_{raw[8:12]}…{raw[-4:]}")
    assert raw not in page.content()  # shown once: never again
    screenshot(page, "panel-with-key")

    question = revoke_in_panel(page, screenshot)
    assert "Revoke “CI pipeline”" in question and "cannot be undone" in question
    expect(page.locator("#api-keys")).to_contain_text("No keys yet")

    refused = call_me(base, raw)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_api_key"


def test_cancelling_the_revoke_dialog_keeps_the_key(
    signed_in_page: Page, live_server: Any, screenshot: Screenshot
) -> None:
    page = signed_in_page
    page.goto(f"{live_server.url}/account")
    raw = create_key_in_panel(page, screenshot)
    page.goto(f"{live_server.url}/account")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#api-keys").get_by_role("button", name="Revoke").click()
    page.wait_for_load_state("networkidle")  # had the form been sent, it would be by now
    expect(page.locator("#api-keys")).to_contain_text("CI pipeline")
    assert page.url == f"{live_server.url}/account"
    screenshot(page, "revoke-cancelled")
    assert call_me(live_server.url, raw).status_code == 200


def test_the_sign_in_page_refuses_a_wrong_password_readably(
    persona: Any, page: Page, live_server: Any, screenshot: Screenshot
) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", persona.email)
    page.fill("input[name=password]", "not my password")
    page.click("form button[type=submit]")
    expect(page.locator("main")).to_contain_text("not correct")
    assert_site_styled(page)
    screenshot(page, "wrong-password")
