"""The Content-Security-Policy forbids inline styles as well as inline scripts: every size a
page needs comes from the stylesheet, SVG attributes, or the CSSOM from a script file (which the
policy allows), so no template carries a style attribute or a <style> element."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parent.parent


def test_the_policy_allows_styles_from_this_site_only(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["style-src"] == "'self'"


def test_no_template_carries_an_inline_style() -> None:
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"<style\b", text), f"{template}: a <style> element"
        assert not re.search(r"\sstyle\s*=", text), f"{template}: a style attribute"
