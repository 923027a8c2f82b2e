"""How the structured comparison names its changes: each difference found between two
documents becomes a change in the one shape (engines/changes.py) — a `path` ("$.a.b[3]",
"/catalog/book[2]/@id") or a CSV `cell` ({"row": 7, "column": "price"}), its kind, and the
values before and after as JSON values, shortened to fit an API answer.

Kept apart from `structured` (parsing and walking) so each stays small; this module needs
nothing from it, so the import runs one way only.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from comparisons.engines import changes
from comparisons.engines.changes import Change, Kind
from comparisons.engines.textio import clip, difference

Steps = tuple[str | int, ...]  # keys and indexes from the document root


@dataclass(frozen=True)
class Record:
    """One difference the walk found, located in each file by its steps from the root."""

    kind: Kind  # "changed" | "added" | "removed"
    at_a: Steps | None  # where in file1 (None for an addition)
    at_b: Steps | None  # where in file2 (None for a removal)
    old: Any = None
    new: Any = None


MAX_MEMBERS = 20  # items of an array, keys of an object shown in a value; the rest are counted
MAX_NESTING = 6  # levels of a value shown; deeper containers are summarised


def shorten(value: Any, depth: int = 0) -> Any:
    """A value as it can appear in the answer: still the same JSON type, but short — strings
    clipped, long arrays and objects cut to MAX_MEMBERS with a "… N more" marker, deep nesting
    summarised — and valid JSON (NaN and the infinities, which JSON has no words for, become
    the strings Python's json module writes for them)."""
    if isinstance(value, str):
        return clip(value)
    if isinstance(value, float) and not math.isfinite(value):
        return json.dumps(value)  # "NaN", "Infinity", "-Infinity"
    if isinstance(value, list):
        if depth >= MAX_NESTING:
            return f"[… {len(value):,} items]"
        shown = [shorten(item, depth + 1) for item in value[:MAX_MEMBERS]]
        more = len(value) - MAX_MEMBERS
        return [*shown, f"… {more:,} more items"] if more > 0 else shown
    if isinstance(value, dict):
        if depth >= MAX_NESTING:
            return f"{{… {len(value):,} keys}}"
        kept = {str(k): shorten(v, depth + 1) for k, v in list(value.items())[:MAX_MEMBERS]}
        if (more := len(value) - MAX_MEMBERS) > 0:
            kept["…"] = f"{more:,} more keys"
        return kept
    return value


def magnitude(record: Record, *, numeric_text: bool = False) -> float:
    """How much one value changed, 0..1: everything for an added or removed value or a change
    of type; for two strings the share of characters edited; for two numbers (CSV: two cells
    that read as numbers) the difference over the larger of them."""
    if record.kind != "changed":
        return 1.0
    old, new = record.old, record.new
    if numeric_text and isinstance(old, str) and isinstance(new, str):
        old, new = _number_or_text(old), _number_or_text(new)
    if _is_number(old) and _is_number(new):
        larger = max(abs(old), abs(new))
        return min(1.0, abs(old - new) / larger) if larger and math.isfinite(larger) else 1.0
    if isinstance(old, str) and isinstance(new, str):
        return difference(old, new)
    return 1.0


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number_or_text(text: str) -> float | str:
    try:
        return float(text)
    except ValueError:
        return text


def _before_after(record: Record, show: Callable[[Any], Any]) -> dict[str, Any]:
    """`before` null for an added value, `after` null for a removed one: there is none."""
    return {
        "before": None if record.kind == "added" else show(record.old),
        "after": None if record.kind == "removed" else show(record.new),
    }


# JSON: "$.a.b[3]", with ["odd key"] for keys that are not identifiers

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _json_path(steps: Steps) -> str:
    path = "$"
    for step in steps:
        if isinstance(step, int):
            path += f"[{step}]"
        elif _IDENTIFIER.match(step):
            path += f".{step}"
        else:
            path += f"[{json.dumps(step, ensure_ascii=False)}]"
    return path


def json_change(record: Record) -> Change:
    """At file1's path (file2's for an added value: file1 has no place for it)."""
    at = record.at_a if record.at_a is not None else record.at_b
    return changes.path(
        record.kind, _json_path(at or ()), **_before_after(record, shorten),
        magnitude=magnitude(record),
    )  # fmt: skip


# CSV: a cell by its 1-based data row and its column (name, or 1-based number without a header)


def column_change(kind: Kind, name: str, values: list[str]) -> Change:
    """A whole column only one file has: its values are `before` (removed) or `after` (added)."""
    shown = shorten(values)
    return changes.cell(
        kind, row=None, column=name,
        before=shown if kind == "removed" else None, after=shown if kind == "added" else None,
    )  # fmt: skip


def csv_change(record: Record, *, named: bool) -> Change:
    """Rows are data rows, counted from 1 after the header (file1's row; file2's for an added
    row); a whole row has no column."""
    at = record.at_a if record.at_a is not None else record.at_b
    steps = at or (0,)
    column = None
    if len(steps) > 1:
        column = steps[1] if named else int(steps[1]) + 1
    return changes.cell(
        record.kind, row=int(steps[0]) + 1, column=column, **_before_after(record, shorten),
        magnitude=magnitude(record, numeric_text=True),
    )  # fmt: skip


# XML: "/catalog/book[2]/@id", "/catalog/book[2]/title/text()"

_XML_LEAF = {
    "tag": "/name()",
    "text": "/text()",
    "tail": "/following-sibling::text()[1]",
    "children": "/*",
}


def xml_change(record: Record, root_a: Any, root_b: Any) -> Change:
    """At file1's path (file2's for an added node); an element's value is its XML, shortened."""
    at, root = (record.at_a, root_a) if record.at_a is not None else (record.at_b, root_b)
    return changes.path(
        record.kind, _xml_path(root, at or ()), **_before_after(record, _xml_show),
        magnitude=magnitude(record),
    )  # fmt: skip


def _xml_path(root: dict[str, Any], steps: Steps) -> str:
    node, path, k = root, "/" + _local(root["tag"]), 0
    while k < len(steps):
        step = steps[k]
        if step == "children" and k + 1 < len(steps):
            siblings, index = node["children"], int(steps[k + 1])
            node = siblings[index]
            path += "/" + _xml_step(siblings, index)
            k += 2
        elif str(step).startswith("@"):
            return f"{path}/@{_local(str(step)[1:])}"
        else:
            return path + _XML_LEAF.get(str(step), "")
    return path


def _xml_step(siblings: list[dict[str, Any]], index: int) -> str:
    """XPath's step: the tag, with a 1-based position when it has same-named siblings."""
    tag = siblings[index]["tag"]
    before = sum(1 for node in siblings[:index] if node["tag"] == tag)
    count = before + sum(1 for node in siblings[index:] if node["tag"] == tag)
    return _local(tag) + (f"[{before + 1}]" if count > 1 else "")


def _xml_show(value: Any) -> Any:
    if isinstance(value, dict) and "tag" in value:
        return _snippet(value)
    if isinstance(value, list):
        return [_snippet(node) for node in value[:5]] + (["…"] if len(value) > 5 else [])
    return shorten(value)


def _snippet(node: dict[str, Any]) -> str:
    tag = _local(node["tag"])
    attrs = "".join(f' {_local(k[1:])}="{v}"' for k, v in node.items() if k.startswith("@"))
    inner = node.get("text", "") + ("…" if node.get("children") else "")
    return clip(f"<{tag}{attrs}>{inner}</{tag}>" if inner else f"<{tag}{attrs}/>")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # "{namespace}name" -> "name"
