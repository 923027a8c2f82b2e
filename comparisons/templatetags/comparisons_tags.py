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
