"""Reads of the comparisons app. Other apps call these, never the models directly."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet

from comparisons.models import Comparison


def comparisons_for(*, user: Any) -> QuerySet[Comparison]:
    """The jobs a user may see: their own, and nobody else's."""
    return Comparison.objects.filter(user=user).select_related("user")


def comparisons_recent(*, user: Any, limit: int = 10) -> list[Comparison]:
    return list(comparisons_for(user=user)[:limit])


def comparisons_history(
    *, user: Any, media_type: str = "", match: str = "", query: str = ""
) -> QuerySet[Comparison]:
    """The user's comparisons, newest first, narrowed by media type, by outcome ("yes": done and
    matched, "no": done and not matched) and by a piece of either file's name."""
    rows = comparisons_for(user=user)
    if media_type:
        rows = rows.filter(media_type=media_type)
    done = Q(status=Comparison.Status.DONE)
    if match == "yes":  # the same rule as verdicts.is_match: similarity >= threshold
        rows = rows.filter(done, similarity__gte=F("threshold"))
    elif match == "no":
        rows = rows.filter(done, similarity__lt=F("threshold"))
    if query:
        rows = rows.filter(Q(name_a__icontains=query) | Q(name_b__icontains=query))
    return rows
