"""A person's journeys through the result views, in headless Chromium against the live server:
sign up and compare two photos, then swipe, fade and zoom between them; watch an audio job wait
and finish in place (no reload), then click the timeline and see both players seek; read two
JSON files' changed values in JSON; read two subtitle files cue by cue. Each ends with
screenshots at 1280 and 375 px in test-artifacts/ for a person to look at."""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from diffall.celery import app as celery_app
from tests.browser.test_comparator import submit
from tests.engines import media_audio, media_texts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 812}


def sign_up(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.fill("input[name=email]", "hana@example.com")
    page.fill("input[name=password1]", "hana-compares-two-photos")
    page.fill("input[name=password2]", "hana-compares-two-photos")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")


def pixel(png: bytes, x: float, y: float) -> np.ndarray:
    """The colour at (x, y), as shares of a screenshot's width and height."""
    picture = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int32)
    return picture[int(y * picture.shape[0]), int(x * picture.shape[1])]


def test_it_signs_up_compares_two_photos_and_swipes_fades_and_zooms(
    page: Page, live_server: Any, images: dict[str, Path], screenshot: Any
) -> None:
    sign_up(page, live_server.url)
    submit(page, images["astronaut"], images["astronaut_edited"])  # a patch at x 300-460
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}$"))
    expect(page.locator("#summary")).to_have_text(re.compile(r"^1 region changed, [\d.]+%"))
    for side in ("a", "b"):
        assert page.evaluate(f"document.getElementById('image-{side}').naturalWidth") == 512
    box = page.locator('.view[data-view="side"] svg.boxes rect').first.bounding_box()
    shown = page.locator("#image-a").bounding_box()
    assert box and shown
    assert abs((box["x"] - shown["x"]) / shown["width"] - 300 / 512) < 0.01  # file1's pixels
    assert abs(box["width"] / shown["width"] - 160 / 512) < 0.01
    screenshot(page, "image-side-by-side")

    page.click("button[data-show=swipe]")
    stage = page.locator("#swipe-stage")
    clip = "getComputedStyle(document.getElementById('swipe-top')).clipPath"
    before, clipped = stage.screenshot(), page.evaluate(clip)
    assert pixel(before, 0.75, 0.23)[2] < 120  # the patch (file2's coffee) is right of 50 %
    page.locator("#swipe").scroll_into_view_if_needed()
    slider = page.locator("#swipe").bounding_box()
    assert slider
    middle = slider["y"] + slider["height"] / 2
    page.mouse.move(slider["x"] + slider["width"] / 2, middle)
    page.mouse.down()
    page.mouse.move(slider["x"] + slider["width"] * 0.97, middle, steps=8)
    page.mouse.up()
    assert float(page.input_value("#swipe")) > 90
    assert page.evaluate(clip) != clipped
    after = stage.screenshot()
    assert np.abs(pixel(after, 0.75, 0.23) - pixel(before, 0.75, 0.23)).sum() > 120  # file1 now
    screenshot(page, "image-swiped")

    page.click("button[data-show=onion]")
    page.focus("#onion")
    page.keyboard.press("End")
    assert page.evaluate("getComputedStyle(document.getElementById('onion-top')).opacity") == "1"
    page.keyboard.press("Home")
    assert page.evaluate("getComputedStyle(document.getElementById('onion-top')).opacity") == "0"

    page.click("summary:has-text('Details')")
    expect(page.locator("#metrics")).to_contain_text("Structural similarity (SSIM)")
    expect(page.locator("#metrics")).to_contain_text(re.compile(r"\d+\.\d dB"))
    expect(page.locator("#per-file")).to_contain_text("512 \u00d7 512 px")

    page.set_viewport_size(PHONE)
    page.click("button[data-show=diff]")
    diff = "document.getElementById('diff-image')"
    assert page.evaluate(f"{diff}.naturalWidth") == 512  # at the inputs' resolution
    assert page.evaluate(f"{diff}.getBoundingClientRect().width") < 375
    page.click("#zoom")
    assert page.evaluate(f"{diff}.getBoundingClientRect().width") == 512  # 100 %
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # it scrolls in its frame
    screenshot(page, "image-difference-zoomed-375")
    page.click("#zoom")
    page.click("button[data-show=side]")
    screenshot(page, "image-375")


def _speech_pair(folder: Path) -> tuple[Path, Path]:
    """40 s of speech, and a copy that starts 0.8 s later with seconds 15-25 said otherwise."""
    rate = media_audio.SPEECH_RATE
    speech = media_audio.fit(media_audio.speak(media_audio.license_words("GPL-3")), 40.0)
    other = media_audio.speak(media_audio.license_words("Apache-2.0", skip=40, count=60))
    other = media_audio.fit(other, 10.0)
    lead = np.zeros(int(0.8 * rate), dtype=speech.dtype)
    edited = np.concatenate([lead, speech[: 15 * rate], other, speech[25 * rate :]])
    return (
        media_audio.encode(speech, folder / "interview.wav"),
        media_audio.encode(edited, folder / "interview-edit.mp3"),
    )


def wait_until(page: Page, script: str, arg: Any = None, timeout_s: float = 20.0) -> None:
    """page.wait_for_function evaluates a string in the page, which our CSP (no 'unsafe-eval')
    refuses; page.evaluate goes through the debugger and is allowed, so poll with it."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script, arg):
        assert time.monotonic() < deadline, f"timed out waiting for {script}"
        page.wait_for_timeout(100)


def _shown_progress(page: Page) -> float | None:
    value = page.evaluate("(document.getElementById('progress') || {}).value")
    return None if value is None else float(value)


@pytest.mark.worker
def test_it_shows_an_audio_jobs_progress_in_place_then_seeks_both_players(
    signed_in_page: Page, celery_worker: Any, tmp_path: Path, screenshot: Any
) -> None:
    page = signed_in_page
    first, second = _speech_pair(tmp_path)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/api/v1/compare/" in r.url else None)
    worker = [celery_worker.hostname]
    celery_app.control.cancel_consumer("media", destination=worker, reply=True)
    try:  # the job waits in the queue while the page shows it waiting
        submit(page, first, second)
        page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}$"))
        page.evaluate("window.stillTheSamePage = true")
        expect(page.locator("#pending-title")).to_have_text("Queued — waiting for a worker…")
        assert _shown_progress(page) == 0
        deadline = time.monotonic() + 10
        while len(polls) < 2 and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert len(polls) >= 2, "the page does not poll the job"
        screenshot(page, "audio-queued")
    finally:
        celery_app.control.add_consumer("media", destination=worker, reply=True)
    shown: list[float] = []
    deadline = time.monotonic() + 90
    while page.locator("#score").count() == 0 and time.monotonic() < deadline:
        value = _shown_progress(page)
        if value is not None:
            shown.append(value)
        page.wait_for_timeout(100)
    expect(page.locator("#score")).to_be_visible()
    assert shown == sorted(shown) and shown[0] == 0, shown  # it only ever rose
    assert page.evaluate("window.stillTheSamePage") is True  # the result came in place
    expect(page.locator("#result-announce")).to_have_text("The comparison is done.")

    expect(page.locator("#offset")).to_contain_text(re.compile("^file2 starts 0.8 s later", re.I))
    zeros = page.locator("#per-second rect.bar.zero")
    assert zeros.count() >= 5  # the replaced seconds scored 0: red bars, not gaps
    wait_until(
        page, "['player-a', 'player-b'].every(id => document.getElementById(id).readyState >= 1)"
    )
    matched = page.locator('svg.lane[data-lane="a"] rect.span.matched').nth(1)  # after the edit
    seek_a = float(matched.get_attribute("data-seek-a") or "nan")
    seek_b = float(matched.get_attribute("data-seek-b") or "nan")
    assert 24 < seek_a < 26.5 and abs(seek_b - seek_a - 0.8) < 0.1
    matched.click()
    wait_until(
        page,
        """([a, b]) => { const p = document.getElementById('player-a'),
                                q = document.getElementById('player-b');
             return !p.seeking && !q.seeking && Math.abs(p.currentTime - a) < 0.05
                    && Math.abs(q.currentTime - b) < 0.05; }""",
        arg=[seek_a, seek_b],
    )
    assert page.evaluate("document.getElementById('player-b').seekable.end(0)") > 40
    page.click("summary:has-text('Details')")
    expect(page.locator("#metrics")).to_contain_text("Timbre similarity (MFCC)")
    screenshot(page, "audio-result")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "audio-result-375")


def test_it_shows_changed_json_values_in_json_with_their_path(
    signed_in_page: Page, tmp_path: Path, screenshot: Any
) -> None:
    a, b = tmp_path / "settings.json", tmp_path / "settings-new.json"
    a.write_text(json.dumps({"theme": {}, "beta": True, "owner": None, "tags": ["a"]}, indent=2))
    b.write_text(json.dumps({"theme": [], "beta": False, "owner": {"id": 3}, "tags": ["a", "b"]}))
    page = signed_in_page
    submit(page, a, b)
    page.wait_for_url(re.compile(r"/c/"))
    values = page.locator("#changes .value")
    expect(values).to_have_count(4)
    pairs = {  # the breadcrumb's steps: the old value, the new one (None: there is none)
        ("$", "theme"): ("{}", "[]"),
        ("$", "beta"): ("true", "false"),
        ("$", "owner"): ("null", '{\n  "id": 3\n}'),
        ("$", "tags", "[1]"): (None, '"b"'),
    }
    for index in range(4):
        value = values.nth(index)
        steps = value.locator(".breadcrumb li").all_inner_texts()
        old, new = pairs[tuple(steps)]
        if old is None:
            expect(value.locator(".old")).to_contain_text("not in file 1")
        else:
            expect(value.locator(".old pre")).to_have_text(old)
        expect(value.locator(".new pre")).to_have_text(new)
    text = page.locator("#changes").inner_text()
    assert "True" not in text and "None" not in text and "{'" not in text  # never Python
    expect(page.locator("#textdiff")).to_contain_text('"beta": true')  # laid out, line by line
    screenshot(page, "json-result")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "json-result-375")


def test_it_lines_up_two_subtitle_files_cue_by_cue(
    signed_in_page: Page, tmp_path: Path, screenshot: Any
) -> None:
    cues = media_texts.cues_from(media_texts.sentences(media_texts.licence("GPL-3"))[:12])
    later = media_texts.shifted(cues, 400)
    later[5] = media_texts.Cue(later[5].start_ms, later[5].end_ms, ("Nothing like the original.",))
    a = media_texts.write(tmp_path / "episode.srt", media_texts.srt(cues))
    b = media_texts.write(tmp_path / "episode-fixed.srt", media_texts.srt(later))
    page = signed_in_page
    submit(page, a, b)
    page.wait_for_url(re.compile(r"/c/"))
    expect(page.locator("#shift")).to_contain_text("File2's cues come 0.4 s later")
    first = page.locator("#cue-table tbody tr").first
    expect(first.locator("td").nth(0)).to_contain_text("#1 00:00:01,000 →")
    expect(first.locator("td").nth(1)).to_contain_text("#1 00:00:01,400 →")
    changed = page.locator("#cue-table tr.changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("td").nth(1)).to_contain_text("Nothing like the original.")
    expect(changed.locator("ins").first).to_be_visible()
    expect(changed.locator("del").first).to_be_visible()
    expect(page.locator("#cue-table tr.fold").first).to_contain_text("the same")
    page.click("summary:has-text('Details')")
    expect(page.locator("#metrics")).to_contain_text("Timing shift")
    screenshot(page, "subtitle-result")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "subtitle-result-375")
