"""What every page must pass, checked in headless Chromium: it fits a 375 px wide phone
(`document.documentElement.scrollWidth <= 375`), it logs no console error (a script the CSP
blocked, a missing file, a JavaScript error), it opens no dialog (an escaped `alert(1)` never
runs), and axe-core finds no `serious` or `critical` accessibility violation.

axe-core comes from the npm registry (package.json at the repository root; `make test` runs
`npm ci`). It is injected as an inline script, which our own CSP forbids, so axe runs in a
second browser context made with `bypass_csp=True`; the console and layout checks run in a
context that enforces the CSP, exactly as a visitor's browser does."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parent.parent.parent
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 860}

# A page is a path, or a function that takes a page there (a form to submit, say).
Visit = str | Callable[[Page, str], None]


def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` at the repository root (make test does)")
    return AXE.read_text()


@dataclass
class Findings:
    name: str
    problems: list[str] = field(default_factory=list)

    def add(self, problem: str) -> None:
        self.problems.append(f"{self.name}: {problem}")


def _go(page: Page, base: str, visit: Visit) -> Any:
    if callable(visit):
        visit(page, base)
        return None
    return page.goto(base + visit)


def _listen(page: Page, found: Findings) -> None:
    def on_console(message: Any) -> None:
        if message.type != "error":
            return
        # Chrome reports an error status of the page itself as a console error: a 404 page
        # answering 404 is what it should do, not a broken resource.
        url = (message.location or {}).get("url", "")
        if "status of 404" in message.text and url == page.url:
            return
        found.add(f"console error: {message.text} ({url})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: found.add(f"JavaScript error: {error}"))
    page.on(
        "dialog", lambda dialog: (found.add(f"dialog opened: {dialog.message}"), dialog.dismiss())
    )


def check_layout_and_console(
    browser: Browser, base: str, cookies: list[Any], name: str, visit: Visit,
    folder: Path,
) -> Findings:  # fmt: skip
    """At 375 px: no sideways scrolling, no console error, no dialog; screenshots at 375 and
    1280 px wide are saved for a person to look at."""
    found = Findings(name)
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(cookies)
    try:
        page = context.new_page()
        _listen(page, found)
        _go(page, base, visit)
        page.wait_for_load_state("networkidle")
        _load_lazy_images(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            found.add(f"scrollWidth is {width} px at 375 px wide: {_widest(page)}")
        page.screenshot(path=str(folder / f"375-{name}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        page.screenshot(path=str(folder / f"1280-{name}.png"), full_page=True)
    finally:
        context.close()
    return found


def _load_lazy_images(page: Page) -> None:
    """Scroll through the page so images marked loading="lazy" load before the screenshot."""
    page.evaluate(
        """async () => {
             for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight) {
               window.scrollTo(0, y); await new Promise(r => setTimeout(r, 50));
             }
             window.scrollTo(0, 0);
             await Promise.all([...document.images].filter(i => !i.complete).map(
               i => new Promise(done => { i.addEventListener('load', done);
                                          i.addEventListener('error', done); })));
           }"""
    )


def _widest(page: Page) -> str:
    """The elements that stick out past the right edge, to say what to fix."""
    culprits = page.evaluate(
        """() => {
             const edge = document.documentElement.clientWidth + 1;
             const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
               (typeof e.className === 'string' && e.className ? '.' + e.className : '');
             return [...document.querySelectorAll('body *')]
               .filter(e => e.getBoundingClientRect().right > edge).slice(0, 4)
               .map(e => name(e) + ' ' + Math.round(e.getBoundingClientRect().right) + 'px');
           }"""
    )
    return ", ".join(culprits)


def check_axe(browser: Browser, base: str, cookies: list[Any], name: str, visit: Visit) -> Findings:
    found = Findings(name)
    context = browser.new_context(viewport=PHONE, bypass_csp=True)
    context.add_cookies(cookies)
    try:
        page = context.new_page()
        _go(page, base, visit)
        page.wait_for_load_state("networkidle")
        for violation in axe_violations(page):
            found.add(f"axe {violation['impact']} {violation['id']}: {violation['help']} "
                      f"at {violation['nodes']}")  # fmt: skip
    finally:
        context.close()
    return found


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.add_script_tag(content=axe_source())
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .map(v => ({id: v.id, impact: v.impact, help: v.help,
                         nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"""
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def check_pages(
    browser: Browser, base: str, cookies: list[Any],
    pages: list[tuple[str, Visit]], folder_name: str,
) -> list[str]:  # fmt: skip
    """Every check on every page; answers the problems found (empty when all pass)."""
    folder = ARTIFACTS / folder_name
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for name, visit in pages:
        safe = re.sub(r"[^\w.-]+", "_", name)
        problems += check_layout_and_console(browser, base, cookies, safe, visit, folder).problems
        problems += check_axe(browser, base, cookies, safe, visit).problems
    return problems


def session_cookies(user: Any, base: str) -> list[Any]:
    """Cookies that sign a browser in as `user` (sign-in itself is tested elsewhere)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return [{"name": cookie.key, "value": cookie.value, "url": base}]
