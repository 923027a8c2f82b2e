from typing import Any

from django import template

from comparisons import selectors, verdicts
from comparisons.engines import REGISTRY, MediaSpec

register = template.Library()


@register.simple_tag
def recent_comparisons(user: Any) -> list[Any]:
    return selectors.comparisons_recent(user=user, limit=8)


@register.simple_tag
def media_types_with_modes() -> list[MediaSpec]:
    """The media types a user may pick a mode for, with their modes (the first is the default)."""
    return [spec for spec in REGISTRY.values() if spec.mode_names]


@register.filter
def score_class(similarity: float | None) -> str:
    if similarity is None:
        return ""
    return verdicts.score_class(similarity)
