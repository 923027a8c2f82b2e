"""How the result page words one change (docs/change-model.md): where it is, in the unit its
location names, and its values as JSON (so `{}` reads `{}`, not a Python repr)."""

from __future__ import annotations

import json
from typing import Any

from django import template

from comparisons.engines.summaries import seconds

register = template.Library()


def _range(start: Any, end: Any) -> str:
    if start is None:
        return "none"
    return str(start) if start == end else f"{start}\u2013{end}"


def _times(span: dict[str, Any], side: str) -> str:
    start, end = span[f"{side}_start"], span[f"{side}_end"]
    return "none" if start is None else f"{seconds(start, 2)}\u2013{seconds(end, 2)} s"


@register.filter
def change_where(change: dict[str, Any]) -> str:
    """ "lines 11 → 11", "0-1 s → none", "$.a.b", "row 8, column price", "cue 4 → 4"."""
    if "cue" in change:
        cue, span = change["cue"], change["time"]
        numbers = f"cue {cue['source_index'] or 'none'} \u2192 {cue['target_index'] or 'none'}"
        return f"{numbers} ({_times(span, 'source')} \u2192 {_times(span, 'target')})"
    if "time" in change:
        span = change["time"]
        return f"{_times(span, 'source')} \u2192 {_times(span, 'target')}"
    if "lines" in change:
        span = change["lines"]
        source = _range(span["source_start"], span["source_end"])
        return f"lines {source} \u2192 {_range(span['target_start'], span['target_end'])}"
    if "cell" in change:
        row, column = change["cell"]["row"], change["cell"]["column"]
        return ", ".join(
            part for part in (row and f"row {row}", column and f"column {column}") if part
        )
    if "region" in change:
        box = change["region"]
        return f"x {box['x']}, y {box['y']}, {box['width']}\u00d7{box['height']} px"
    return str(change.get("path", ""))


@register.filter
def change_value(value: Any) -> str:
    """A value as the API gives it: text as it is, anything else as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
