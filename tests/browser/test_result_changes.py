"""The text result page says what changed in one sentence and shows the changed lines among
their neighbours, the words that changed marked, side by side on a desktop and in one column on
a phone (a person can switch either way); unchanged runs fold and unfold in place."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_comparator import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_summary_and_the_changed_lines_in_context(
    signed_in_page: Page, texts: dict, screenshot: Any
) -> None:
    page = signed_in_page
    submit(page, texts["apache"], texts["apache_edited"])
    page.wait_for_url(re.compile(r"/c/"))

    expect(page.locator("#summary")).to_have_text("3 lines changed")
    side = page.locator("#textdiff .diff-side")
    expect(side).to_be_visible()
    first = side.locator("tr.changed").first
    expect(first.locator("td.num").first).to_have_text(re.compile(r"^\d+$"))
    expect(first.locator("del")).to_have_text("Licensor")
    expect(first.locator("ins")).to_have_text("Grantor")
    expect(first.locator("xpath=preceding-sibling::tr[1]")).to_have_class("same")  # context
    fold = side.locator("tr.fold button").first
    folded = re.search(r"(\d+) unchanged", fold.inner_text())
    assert folded
    hidden = side.locator("tr[hidden]").count()
    fold.click()
    # the folded lines show; the fold's own row goes
    assert side.locator("tr[hidden]").count() == hidden - int(folded.group(1)) + 1
    screenshot(page, "text-changes-1280")

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()  # a phone opens it in one column
    expect(page.locator("#textdiff .diff-unified")).to_be_visible()
    expect(page.locator("#textdiff .diff-side")).to_be_hidden()
    expect(page.locator("#textdiff .diff-unified tr.removed del").first).to_have_text("Licensor")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "text-changes-375")
    page.click("button[data-layout=side]")
    expect(page.locator("#textdiff .diff-side")).to_be_visible()
