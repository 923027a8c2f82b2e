"""The website's comparator in headless Chromium: upload two files, see the score, the verdict and
the diff picture; watch a video job's progress bar rise until the result replaces it."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_site_styled
from tests.engines import media_videos

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page: Page, file1: Any, file2: Any) -> None:
    page.set_input_files("#file1", str(file1))
    page.set_input_files("#file2", str(file2))
    page.click("#compare-button")


def test_it_compares_two_photos_and_shows_where_they_differ(
    signed_in_page: Page, live_server: Any, images: dict, screenshot: Any
) -> None:
    page = signed_in_page
    assert_site_styled(page)
    screenshot(page, "home")
    submit(page, images["astronaut"], images["astronaut_edited"])
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}$"))
    expect(page.locator("#verdict")).to_contain_text("similarity")
    score = float(page.locator("#score").inner_text())
    assert 50 < score < 99
    page.click("button[data-show=diff]")
    diff = page.locator("#diff-image")
    expect(diff).to_be_visible()
    assert page.evaluate("document.getElementById('diff-image').naturalWidth") > 100
    expect(page.locator("#metrics")).to_contain_text("Structural similarity (SSIM)")
    screenshot(page, "image-result")
    page.goto(live_server.url + "/")
    expect(page.locator("#recent")).to_contain_text("image")
    expect(page.locator("#balance")).to_contain_text("9 of 10 free left today")  # one spent


def test_it_shows_the_changed_lines_of_two_texts(
    signed_in_page: Page, texts: dict, screenshot: Any
) -> None:
    submit(signed_in_page, texts["apache"], texts["apache_edited"])
    signed_in_page.wait_for_url(re.compile(r"/c/"))
    expect(signed_in_page.locator("#textdiff .diff-side ins").first).to_have_text("Grantor")
    expect(signed_in_page.locator("#textdiff .diff-side del").first).to_have_text("Licensor")
    screenshot(signed_in_page, "text-result")


def test_it_says_what_is_wrong_with_mismatched_files(
    signed_in_page: Page, images: dict, texts: dict, screenshot: Any
) -> None:
    submit(signed_in_page, images["astronaut"], texts["apache"])
    signed_in_page.wait_for_url(re.compile(r"/$"))
    expect(signed_in_page.locator(".messages")).to_contain_text("choose two files of the same type")
    screenshot(signed_in_page, "mismatched")


@pytest.mark.worker
def test_it_shows_a_video_jobs_progress_until_the_result(
    signed_in_page: Page, celery_worker: Any, tmp_path: Any, screenshot: Any
) -> None:
    board = media_videos.default_board(seconds=20.0, photos=media_videos.PHOTOS[:10])
    first = media_videos.write_video(tmp_path / "a.mp4", board, width=640, height=480)
    second = media_videos.write_video(
        tmp_path / "b.mp4", board.replaced(8.0, 12.0, "moon"), width=640, height=480
    )
    page = signed_in_page
    submit(page, first, second)
    page.wait_for_url(re.compile(r"/c/"))
    expect(page.locator(".progress")).to_be_visible()
    page.evaluate("window.stillTheSamePage = true")
    screenshot(page, "video-pending")
    shown = []  # what the page's progress bar said, read every 100 ms until the result is in
    deadline = time.monotonic() + 120
    while page.locator("#score").count() == 0 and time.monotonic() < deadline:
        value = page.evaluate("(document.getElementById('progress') || {}).value")
        if value is not None:
            shown.append(float(value))
        page.wait_for_timeout(100)
    expect(page.locator("#score")).to_be_visible()
    assert shown and shown == sorted(shown), shown  # it only ever rose
    assert page.evaluate("window.stillTheSamePage") is True  # the result came in place
    assert 60 < float(page.locator("#score").inner_text()) < 95
    bars = page.locator("#per-second rect.bar")
    assert bars.count() == 20
    classes = [bars.nth(i).get_attribute("class") or "" for i in range(20)]
    low = [i for i, css in enumerate(classes) if "low" in css or "zero" in css]
    assert set(low) <= {7, 8, 9, 10, 11, 12} and {9, 10} <= set(low), low
    expect(page.locator("#metrics")).to_contain_text("Offset")
    expect(page.locator("#diff-image")).to_be_visible()
    # the ranges table wears the legend's colours, and a video's legend speaks of pictures
    expect(page.locator(".legend")).to_contain_text("Looks degraded")
    differs = page.locator("#ranges .kind.changed").first
    swatch = page.locator(".legend .swatch.changed")
    assert _hue(differs, "color") == _hue(swatch, "background-color") == "red"
    screenshot(page, "video-result")


def _hue(locator: Any, prop: str) -> str:
    """ "red", "green", "amber" or "other" for an element's computed colour."""
    rgb = locator.evaluate(f"e => getComputedStyle(e)['{prop}']")
    r, g, b = (int(v) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    if r > 1.4 * g and r > 1.4 * b:
        return "amber" if g > 0.45 * r else "red"
    return "green" if g > r and g > b else "other"
