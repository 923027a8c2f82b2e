from typing import Any

from django import template

from comparisons import selectors, verdicts, web_errors
from comparisons.engines import REGISTRY, MediaSpec

register = template.Library()


@register.simple_tag
def recent_comparisons(user: Any) -> list[Any]:
    return selectors.comparisons_recent(user=user, limit=5)


@register.simple_tag
def media_types_with_modes() -> list[MediaSpec]:
    """The media types a user may pick a mode for, with their modes (the first is the default)."""
    return [spec for spec in REGISTRY.values() if spec.mode_names]


@register.filter
def score_class(similarity: float | None) -> str:
    if similarity is None:
        return ""
    return verdicts.score_class(similarity)


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
