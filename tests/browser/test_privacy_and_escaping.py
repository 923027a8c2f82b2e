"""What one account uploads stays its own and stays text: a second user gets the styled 404 for
the first user's result, its files, its previews and its diff image; a file named
`<img src=x onerror=alert(1)>.png` and a text containing `<script>` show as text everywhere."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from tests.browser.pagecheck import session_cookies
from tests.browser.site_data import HOSTILE_LINE, HOSTILE_NAME

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def upload(page: Page, selector: str, path: Path, name: str | None = None) -> None:
    mime = "image/png" if path.suffix == ".png" else "text/plain"
    page.set_input_files(
        selector, files=[{"name": name or path.name, "mimeType": mime, "buffer": path.read_bytes()}]
    )


def compare(page: Page, a: Path, b: Path, name_a: str | None = None) -> str:
    upload(page, "#file1", a, name_a)
    upload(page, "#file2", b)
    page.click("#compare-button")
    page.wait_for_url(re.compile(r"/c/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[1]


def test_a_second_user_cannot_open_the_first_users_result_or_files(
    signed_in_page: Page, browser: Browser, live_server: Any, images: dict[str, Path],
    screenshot: Any,
) -> None:  # fmt: skip
    base = live_server.url
    job = compare(signed_in_page, images["astronaut"], images["astronaut_edited"])
    urls = [f"/c/{job}", f"/c/{job}/file1", f"/c/{job}/file2/thumb.png", f"/c/{job}/delete",
            f"/api/v1/compare/{job}/diff.png"]  # fmt: skip
    for url in urls:  # the owner can
        assert signed_in_page.request.get(base + url).status == 200, url

    bob = User.objects.create_user(email="bob@example.com", password="bob-has-a-long-password")
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.add_cookies(session_cookies(bob, base))
    page = context.new_page()
    for url in urls:
        response = page.goto(base + url)
        assert response is not None and response.status == 404, url
        if not url.startswith("/api/"):
            expect(page.locator("#error-page")).to_contain_text("Nothing here")
    page.goto(f"{base}/c/{job}")
    screenshot(page, "second-user-404")
    page.goto(f"{base}/history")
    expect(page.locator("#history")).to_have_count(0)  # nothing of erin's is listed
    context.close()


def test_hostile_file_names_and_texts_show_as_text(
    signed_in_page: Page, live_server: Any, images: dict[str, Path], tmp_path: Path,
    screenshot: Any,
) -> None:  # fmt: skip
    page, base = signed_in_page, live_server.url
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    compare(page, images["astronaut"], images["astronaut_edited"], name_a=HOSTILE_NAME)
    expect(page.locator("#result")).to_contain_text(HOSTILE_NAME)
    screenshot(page, "hostile-name-result")

    before, after = tmp_path / "before.txt", tmp_path / "after.txt"
    before.write_text("line one\nline two\n")
    after.write_text(f"line one\n{HOSTILE_LINE}\nline two\n")
    page.goto(f"{base}/")
    compare(page, before, after)
    expect(page.locator("#result")).to_contain_text(HOSTILE_LINE)
    screenshot(page, "hostile-text-result")

    for url in ("/", "/history"):
        page.goto(base + url)
        expect(page.locator("main")).to_contain_text(HOSTILE_NAME)
    screenshot(page, "hostile-history")
    assert page.locator("img[src='x']").count() == 0  # the name never became an element
    assert dialogs == []  # and nothing ran
