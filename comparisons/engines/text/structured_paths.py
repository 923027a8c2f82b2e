"""How the structured comparison names its changes: each difference found between two
documents becomes a dict with a human-readable path ("$.a.b[3]", 'row 7, column "price"',
"/catalog/book[2]/@id"), its kind, and short old/new values fit for the API answer.

Kept apart from `structured` (parsing and walking) so each stays small; this module needs
nothing from it, so the import runs one way only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from comparisons.engines.textio import MAX_LINE_CHARS, clip

Steps = tuple[str | int, ...]  # keys and indexes from the document root


@dataclass(frozen=True)
class Record:
    """One difference the walk found, located in each file by its steps from the root."""

    kind: str  # "changed" | "added" | "removed"
    at_a: Steps | None  # where in file1 (None for an addition)
    at_b: Steps | None  # where in file2 (None for a removal)
    old: Any = None
    new: Any = None


def _old_new(record: Record, show: Callable[[Any], Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    if record.kind != "added":
        shown["old"] = show(record.old)
    if record.kind != "removed":
        shown["new"] = show(record.new)
    return shown


def _show(value: Any) -> Any:
    """A value as it can appear in the answer: short, and valid JSON (no NaN)."""
    if isinstance(value, str):
        return clip(value)
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return clip(json.dumps(value, ensure_ascii=False))
    return value if len(text) <= MAX_LINE_CHARS else clip(text)


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


def json_change(record: Record) -> dict[str, Any]:
    at = record.at_a if record.at_a is not None else record.at_b
    change: dict[str, Any] = {"path": _json_path(at or ()), "kind": record.kind}
    if record.kind == "changed" and record.at_b != record.at_a:
        change["path_b"] = _json_path(record.at_b or ())
    return change | _old_new(record, _show)


# CSV: rows named by their file line, cells by column name or number


def column_change(kind: str, name: str) -> dict[str, Any]:
    return {"path": f'column "{name}"', "kind": kind, "column": name}


def csv_change(
    record: Record, lines_a: list[int], lines_b: list[int], *, named: bool
) -> dict[str, Any]:
    """Rows are named by the file line they start on — the row number a spreadsheet shows."""
    at = record.at_a if record.at_a is not None else record.at_b
    where: dict[str, Any] = {}
    if record.at_a is not None:
        where["row_a"] = lines_a[int(record.at_a[0])]
    if record.at_b is not None:
        where["row_b"] = lines_b[int(record.at_b[0])]
    path = f"row {where.get('row_a', where.get('row_b'))}"
    if at is not None and len(at) > 1:
        column = at[1] if named else int(at[1]) + 1
        where["column"] = column
        path += f', column "{column}"' if named else f", column {column}"
    return {"path": path, "kind": record.kind, **where} | _old_new(record, _show)


# XML: "/catalog/book[2]/@id", "/catalog/book[2]/title/text()"

_XML_LEAF = {
    "text": "/text()",
    "tail": "/following-sibling::text()[1]",
    "children": "/*",
}
_XML_WHAT = {
    "tag": "name",
    "text": "text",
    "tail": "text after",
    "children": "children",
}


def xml_change(record: Record, root_a: Any, root_b: Any) -> dict[str, Any]:
    at, root = (record.at_a, root_a) if record.at_a is not None else (record.at_b, root_b)
    change: dict[str, Any] = {
        "path": _xml_path(root, at or ()),
        "kind": record.kind,
        "what": _xml_what(at or ()),
    }
    if record.kind == "changed" and record.at_b is not None:
        path_b = _xml_path(root_b, record.at_b)
        if path_b != change["path"]:
            change["path_b"] = path_b
    return change | _old_new(record, _xml_show)


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


def _xml_what(steps: Steps) -> str:
    if not steps or isinstance(steps[-1], int):
        return "element"
    if str(steps[-1]).startswith("@"):
        return "attribute"
    return _XML_WHAT.get(str(steps[-1]), "element")


def _xml_show(value: Any) -> Any:
    if isinstance(value, dict) and "tag" in value:
        return _snippet(value)
    if isinstance(value, list):
        return [_snippet(node) for node in value[:5]] + (["…"] if len(value) > 5 else [])
    return _show(value)


def _snippet(node: dict[str, Any]) -> str:
    tag = _local(node["tag"])
    attrs = "".join(f' {_local(k[1:])}="{v}"' for k, v in node.items() if k.startswith("@"))
    inner = node.get("text", "") + ("…" if node.get("children") else "")
    return clip(f"<{tag}{attrs}>{inner}</{tag}>" if inner else f"<{tag}{attrs}/>")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # "{namespace}name" -> "name"
