"""The website's comparator in headless Chromium: upload two files, see the score, the verdict and
the diff picture; watch a video job's progress bar rise until the result replaces it."""

from __future__ import annotations

import re
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
    diff = page.locator("#diff-image")
    expect(diff).to_be_visible()
    assert page.evaluate("document.getElementById('diff-image').naturalWidth") > 100
    expect(page.locator("#metrics")).to_contain_text("ssim")
    screenshot(page, "image-result")
    page.goto(live_server.url + "/")
    expect(page.locator("#recent")).to_contain_text("image")
    expect(page.locator("#balance")).to_contain_text("9 of 10 free left today")  # one spent


def test_it_shows_the_changed_lines_of_two_texts(
    signed_in_page: Page, texts: dict, screenshot: Any
) -> None:
    submit(signed_in_page, texts["apache"], texts["apache_edited"])
    signed_in_page.wait_for_url(re.compile(r"/c/"))
    expect(signed_in_page.locator("#changes .add").first).to_contain_text("Grantor")
    expect(signed_in_page.locator("#changes .del").first).to_contain_text("Licensor")
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
    screenshot(page, "video-pending")
    expect(page.locator("#score")).to_be_visible(timeout=120_000)
    assert 60 < float(page.locator("#score").inner_text()) < 95
    bars = page.locator("#timeline span")
    assert bars.count() == 20
    low = [i for i in range(20) if "low" in (bars.nth(i).get_attribute("class") or "")]
    assert set(low) <= {7, 8, 9, 10, 11, 12} and {9, 10} <= set(low), low
    expect(page.locator("#metrics")).to_contain_text("offset_s")
    expect(page.locator("#diff-image")).to_be_visible()
    screenshot(page, "video-result")
