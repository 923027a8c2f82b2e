"""The key panel is included on the home page, whose view belongs to no app: it fetches its own
rows here rather than asking that view to know about API keys."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import QuerySet

from accounts import selectors
from accounts.models import ApiKey

register = template.Library()


@register.simple_tag(takes_context=True)
def api_keys_of_current_user(context: dict[str, Any]) -> QuerySet[ApiKey] | list[ApiKey]:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return []
    return selectors.api_keys_for(user=user)
