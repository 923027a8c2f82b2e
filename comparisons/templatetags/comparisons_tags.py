from typing import Any

from django import template

from comparisons import selectors

register = template.Library()


@register.simple_tag
def recent_comparisons(user: Any) -> list[Any]:
    return selectors.comparisons_recent(user=user, limit=8)


@register.filter
def score_class(similarity: float | None) -> str:
    if similarity is None:
        return ""
    return "high" if similarity >= 90 else "mid" if similarity >= 60 else "low"
