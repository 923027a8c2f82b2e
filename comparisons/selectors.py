"""Reads of the comparisons app. Other apps call these, never the models directly."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from comparisons.models import Comparison


def comparisons_for(*, user: Any) -> QuerySet[Comparison]:
    """The jobs a user may see: their own, and nobody else's."""
    return Comparison.objects.filter(user=user).select_related("user")


def comparisons_recent(*, user: Any, limit: int = 10) -> list[Comparison]:
    return list(comparisons_for(user=user)[:limit])
