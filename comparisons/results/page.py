"""Everything the result page (and its in-place fragment) shows of one comparison."""

from __future__ import annotations

from typing import Any

from comparisons import web_errors
from comparisons.engines.summaries import NO_DIFFERENCES
from comparisons.models import Comparison
from comparisons.results import image, labels, media, subtitle, text

# Said when the engine found the files not identical yet listed no change (a difference below
# what it lists, such as one file read only after repairs): the page must not say "none".
UNLISTED = "Small differences were found, none large enough to list; the figures are under Details."


def context(comparison: Comparison, result: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {"comparison": comparison, "result": result}
    if comparison.status == Comparison.Status.ERROR:
        found["error_message"] = web_errors.for_browser(
            comparison.error_code or "", comparison.error_detail or ""
        )
    if comparison.status != Comparison.Status.DONE:
        return found
    changes: list[dict[str, Any]] = result.get("changes") or []
    identical = bool(result.get("identical"))
    summary = result.get("summary") or ""
    if not identical and (not summary or (summary == NO_DIFFERENCES and not changes)):
        summary = UNLISTED
    found["summary"] = summary
    found["details"] = labels.details(comparison.metrics or {}, comparison.media_type)
    kind = comparison.media_type
    if kind == "image":
        found["image"] = image.view(comparison, changes)
    elif kind == "text":
        found["text"] = text.view(comparison, changes, identical)
    elif kind == "subtitle":
        found["subtitle"] = subtitle.view(comparison, changes)
    elif kind in ("audio", "video"):
        found["media"] = media.view(comparison, changes)
    return found
