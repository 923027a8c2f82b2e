"""The result page words each change in the one change model: what kind, where (in the unit of
its location), the values before and after as JSON, and the summary sentence above them."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_comparator import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_summary_and_each_hunk_before_and_after(
    signed_in_page: Page, texts: dict, screenshot: Any
) -> None:
    page = signed_in_page
    submit(page, texts["apache"], texts["apache_edited"])
    page.wait_for_url(re.compile(r"/c/"))

    expect(page.locator("#summary")).to_have_text("3 lines changed")
    first = page.locator("#changes .hunk").first
    expect(first.locator(".head")).to_contain_text(re.compile(r"^changed · lines \d+ → \d+ · "))
    expect(first.locator(".del")).to_contain_text("Licensor")
    expect(first.locator(".add")).to_contain_text("Grantor")
    screenshot(page, "text-changes-1280")
    page.set_viewport_size({"width": 375, "height": 800})
    wide = page.evaluate(
        """[...document.querySelectorAll('#changes *, #summary')]
        .filter(e => e.getBoundingClientRect().right > 376).map(e => e.className)"""
    )
    assert wide == []  # no change runs off a phone's screen
    screenshot(page, "text-changes-375")


def test_it_shows_json_values_as_json(
    signed_in_page: Page, tmp_path: Path, screenshot: Any
) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps({"settings": {}, "tags": ["a"], "name": "x"}))
    b.write_text(json.dumps({"settings": [], "tags": ["a", "b"], "name": "x"}))
    page = signed_in_page
    submit(page, a, b)
    page.wait_for_url(re.compile(r"/c/"))

    expect(page.locator("#summary")).to_have_text("1 value changed, 1 value added")
    hunks = page.locator("#changes .hunk")
    expect(hunks.nth(0).locator(".head")).to_contain_text("changed · $.settings")
    expect(hunks.nth(0).locator(".del")).to_have_text("- {}")  # an empty object, not dropped
    expect(hunks.nth(0).locator(".add")).to_have_text("+ []")
    expect(hunks.nth(1).locator(".add")).to_have_text("+ b")
    expect(hunks.nth(1).locator(".del")).to_have_count(0)  # an added value has no before
    screenshot(page, "json-changes")
