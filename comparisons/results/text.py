"""Text, JSON, CSV and XML results: the files line by line (from the uploads while they are
kept, else from the changes' own lines), and for structured files each changed value with its
path as a breadcrumb and its values in the file's own syntax (JSON: `true`, `{}`, `null`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from comparisons.engines.text import structured
from comparisons.models import Comparison
from comparisons.results import kept, originals
from comparisons.results.textdiff import (
    LineDiff,
    Piece,
    Row,
    fold,
    line_diff,
    mark_words,
    paired,
    words,
)

_JSON_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')
ABSENT = None  # a side that has no value at this place


@dataclass
class ValueChange:
    """One changed value of a JSON or XML file, or one cell (or row, or column) of a CSV."""

    kind: str
    where: list[str]  # the breadcrumb: "$", "properties", "name"; or "row 2", "price"
    before: list[Piece] | None  # None: file1 has no value here
    after: list[Piece] | None


@dataclass
class Cell:
    before: list[Piece]
    after: list[Piece] | None = None  # set only on a changed cell: file2's value


@dataclass
class TableRow:
    number: int  # the data row, 1-based after the header (file1's)
    cells: list[Cell]


@dataclass
class Table:
    """A CSV's changed rows as a table: file1's row with each changed cell's old and new
    value, so a cell reads in its row and column."""

    columns: list[str]
    rows: list[TableRow]
    more: int = 0  # changed rows not shown


@dataclass
class TextView:
    format: str  # "plain" | "json" | "csv" | "xml"
    diff: LineDiff | None  # the files line by line; None when identical or not readable
    from_files: bool  # the lines come from the files (with context), not from the changes
    values: list[ValueChange] = field(default_factory=list)  # JSON, XML, CSV changes
    table: Table | None = None  # CSV: the changed rows, when file1 is still kept


def view(comparison: Comparison, changes: list[dict[str, Any]], identical: bool) -> TextView:
    fmt = str(comparison.metrics.get("format") or "plain")
    values = [_value_change(change, fmt) for change in changes if "lines" not in change]
    if identical:  # the same words or values: a line diff could only show formatting
        return TextView(fmt, None, from_files=False, values=values)
    found = kept.view_from_files(comparison, lambda: _from_files(comparison, changes, fmt, values))
    if found is not None:
        return found
    plain = [change for change in changes if "lines" in change]
    diff = _from_changes(plain) if plain else None
    return TextView(fmt, diff, from_files=False, values=values)


def _from_files(
    comparison: Comparison, changes: list[dict[str, Any]], fmt: str, values: list[ValueChange]
) -> TextView | None:
    """The files line by line with context; None when they cannot be read."""
    texts = originals.texts(comparison)
    if texts is None:
        return None
    first, second = (_pretty_json(text) for text in texts) if fmt == "json" else texts
    found = TextView(fmt, line_diff(first, second), from_files=True, values=values)
    if fmt == "csv":
        found.table = _table(texts[0], changes)
        if found.table:  # the cells are in the table; the list keeps whole rows and columns
            found.values = [v for v, c in zip(values, changes, strict=True) if not _in_cell(c)]
    return found


def _pretty_json(text: str) -> str:
    """A JSON file laid out one value a line (2 spaces), so a minified file diffs line by line;
    the text as it is when it does not parse."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _from_changes(changes: list[dict[str, Any]]) -> LineDiff:
    """The changed lines the answer carries, in order, with folds (of unknown length) for the
    unchanged lines between them: what is left to show once the uploads are deleted."""
    rows: list[Row] = []
    for change in changes:
        where = change["lines"]
        if rows or (where["source_start"] or where["target_start"] or 1) > 1:
            rows.append(Row("fold"))
        before = change["before"].split("\n") if isinstance(change["before"], str) else []
        after = change["after"].split("\n") if isinstance(change["after"], str) else []
        rows += paired(before, after, where["source_start"], where["target_start"])
    for row in rows:
        mark_words(row)
    return LineDiff(fold(rows))


# --- one value -----------------------------------------------------------------------------------


def _value_change(change: dict[str, Any], fmt: str) -> ValueChange:
    before, after = change.get("before"), change.get("after")
    if "cell" in change:
        where, show = _cell_where(change["cell"]), _cell_text
    elif fmt == "xml":
        where, show = _xml_where(change.get("path", "")), _xml_text(change.get("path", ""))
    else:
        where, show = _json_where(change.get("path", "$")), _json_text
    # "before" is absent only for an added value, "after" only for a removed one
    shown_before = None if change["kind"] == "added" else show(before)
    shown_after = None if change["kind"] == "removed" else show(after)
    if shown_before is not None and shown_after is not None:
        pieces_a, pieces_b = words(shown_before, shown_after)
        return ValueChange(change["kind"], where, pieces_a, pieces_b)
    return ValueChange(
        change["kind"], where,
        None if shown_before is None else [Piece(shown_before)],
        None if shown_after is None else [Piece(shown_after)],
    )  # fmt: skip


def _json_text(value: Any) -> str:
    """A JSON value in JSON: "text" quoted, true, null, {} — containers one member a line."""
    indent = 2 if isinstance(value, dict | list) and value else None
    return json.dumps(value, ensure_ascii=False, indent=indent)


def _json_where(path: str) -> list[str]:
    """ "$.properties.maxItems["$ref"]" -> ["$", "properties", "maxItems", "$ref"]."""
    crumbs = ["$"]
    for name, index, quoted in _JSON_STEP.findall(path[1:] if path.startswith("$") else path):
        if name:
            crumbs.append(name)
        elif index:
            crumbs.append(f"[{index}]")
        else:
            crumbs.append(json.loads(quoted))
    return crumbs


def _xml_where(path: str) -> list[str]:
    return [step for step in path.split("/") if step] or ["/"]


def _xml_text(path: str) -> Any:
    """An XML value as XML: an attribute `id="3"`, text as text, elements as their markup."""
    attribute = path.rsplit("/@", 1)[1] if "/@" in path else None

    def show(value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(str(item) for item in value)
        text = "" if value is None else str(value)
        if attribute is not None:
            return f'{attribute}="{text}"'
        return text

    return show


def _cell_where(cell: dict[str, Any]) -> list[str]:
    where = []
    if cell.get("row") is not None:
        where.append(f"row {cell['row']}")
    if cell.get("column") is not None:
        where.append(f"column {cell['column']}")
    return where


def _cell_text(value: Any) -> str:
    """A cell as written; a whole row or column as its cells, comma-separated."""
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


# --- CSV: the changed rows in a table -----------------------------------------------------------

MAX_TABLE_ROWS = 50


def _in_cell(change: dict[str, Any]) -> bool:
    cell = change.get("cell") or {}
    return cell.get("row") is not None and cell.get("column") is not None


def _table(text_a: str, changes: list[dict[str, Any]]) -> Table | None:
    """File1's rows that have a changed cell, each changed cell marked with both values."""
    cells = [change for change in changes if _in_cell(change)]
    parsed = structured.parse(text_a)
    if not cells or parsed.format != "csv":
        return None
    rows: list[list[str]] = parsed.value.rows
    named = any(isinstance(c["cell"]["column"], str) for c in cells)
    columns = rows[0] if named else [f"column {k}" for k in range(1, len(rows[0]) + 1)]
    data = rows[1:] if named else rows
    by_row: dict[int, dict[int, dict[str, Any]]] = {}
    for change in cells:
        column = change["cell"]["column"]
        index = columns.index(column) if named and column in columns else None
        if not named and isinstance(column, int):
            index = column - 1
        row = change["cell"]["row"]
        if index is None or not 1 <= row <= len(data) or index >= len(data[row - 1]):
            return None  # not the table the engine read: the list says it instead
        by_row.setdefault(row, {})[index] = change
    table = Table(columns, [], more=max(0, len(by_row) - MAX_TABLE_ROWS))
    for number in sorted(by_row)[:MAX_TABLE_ROWS]:
        table.rows.append(TableRow(number, _cells(data[number - 1], by_row[number])))
    return table


def _cells(values: list[str], changed: dict[int, dict[str, Any]]) -> list[Cell]:
    found = []
    for index, value in enumerate(values):
        change = changed.get(index)
        if change is None:
            found.append(Cell([Piece(value)]))
            continue
        before, after = words(_cell_text(change["before"]), _cell_text(change["after"]))
        found.append(Cell(before, after))
    return found
