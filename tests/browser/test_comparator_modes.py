"""The comparator's mode picker lists the modes the media-type registry declares (the first as
the default), and a picked mode is the one the comparison runs in, with that mode's threshold."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from comparisons.engines import spec_of
from tests.browser.test_comparator import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_offers_the_registered_image_modes_and_runs_the_one_picked(
    signed_in_page: Page, images: dict, screenshot: Any
) -> None:
    page = signed_in_page
    page.click("#comparator summary")
    options = page.locator("#mode option")
    image = spec_of("image")
    assert options.evaluate_all("os => os.map(o => o.value)") == ["", *image.mode_names[1:]]
    expect(options.first).to_contain_text("(default)")
    screenshot(page, "mode-picker")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot(page, "mode-picker-narrow")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.select_option("#mode", "feature")
    submit(page, images["astronaut"], images["astronaut_edited"])
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}$"))
    expect(page.locator("#result")).to_contain_text(f"threshold of {image.threshold('feature')}")
    expect(page.locator("#metrics")).to_contain_text("Feature")
