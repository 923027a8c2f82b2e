from typing import Any

from django import template

from comparisons import selectors, verdicts, web_errors

register = template.Library()


@register.simple_tag
def recent_comparisons(user: Any) -> list[Any]:
    return selectors.comparisons_recent(user=user, limit=5)


@register.filter
def score_class(similarity: float | None) -> str:
    if similarity is None:
        return ""
    return "high" if similarity >= 90 else "mid" if similarity >= 60 else "low"


@register.filter
def matched(comparison: Any) -> bool:
    """Whether a finished comparison matched (verdicts owns the rule)."""
    if comparison.similarity is None:
        return False
    return verdicts.is_match(comparison.similarity, comparison.threshold)


@register.filter
def for_browser(detail: str, code: str = "") -> str:
    """An API error detail in the website's words (see comparisons.web_errors)."""
    return web_errors.for_browser(code or "", detail or "")


@register.filter
def format_label(comparison: Any) -> str:
    """The files' format when it says more than the media type: "JSON", "CSV", "MP4" and "MKV"
    (two formats: "MP4, MKV"); nothing for plain text."""
    formats = dict.fromkeys(f for f in (comparison.format_a, comparison.format_b) if f)
    labels = [f.upper() for f in formats if f != "plain"]
    return ", ".join(labels)
