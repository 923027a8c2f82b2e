"""Structure-aware JSON, CSV and XML for the text engine: deciding a file's format by parsing it,
and comparing two parsed documents value by value.

Key order, indentation, quoting, XML comments and attribute order do not matter; array elements
and CSV records are aligned by content, so one inserted element is one addition. Each change names
its path: "$.a.b[3]" (JSON), 'row 7, column "price"' (CSV), "/catalog/book[2]/@id" (XML).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from comparisons.engines import summaries
from comparisons.engines.base import Result
from comparisons.engines.changes import Change
from comparisons.engines.text.structured_paths import (
    Record,
    Steps,
    column_change,
    csv_change,
    json_change,
    xml_change,
)
from comparisons.engines.textio import Words, align, distance, score, text_metrics

# --- structured: parsing -------------------------------------------------------------------------

MAX_DEPTH = 200  # nesting compared as structure; deeper documents are compared as text
MAX_CHANGES = 200  # value changes listed in `changes`; all of them are counted in metrics
CSV_SAMPLE = 64 * 1024  # the first characters and lines that decide whether a file is a table
CSV_SAMPLE_LINES = 50


class _TooDeep(Exception):
    pass


@dataclass(frozen=True)
class Parsed:
    format: str  # "json" | "csv" | "xml" | "plain"
    value: Any = None  # the parsed document (CSV: a _Table of its records)
    problem: str | None = None  # why a file that looked structured was not parsed
    index: Index | None = None


@dataclass(frozen=True)
class _Table:
    """A parsed CSV file: its records, the file line each starts on, and whether the first
    record looks like column names."""

    rows: list[list[str]]
    lines: list[int]
    header_likely: bool


def parse(text: str) -> Parsed:
    """Decide the format by parsing: JSON and XML by their first character, then CSV by sniffing
    a delimiter and finding every record the same width; anything else is plain text."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return _parse_json(text)
    if head == "<":
        return _parse_xml(text)
    return _parse_csv(text) or Parsed("plain")


class _NotJson(ValueError):
    """A value Python's json module reads but RFC 8259 has no place for."""


def _refuse_constant(name: str) -> Any:
    # RFC 8259, section 6: "Numeric values that cannot be represented in the grammar below (such
    # as Infinity and NaN) are not permitted." json.loads takes them unless told otherwise.
    raise _NotJson(f"{name} is not a JSON value; RFC 8259 has no NaN or Infinity")


def _parse_json(text: str) -> Parsed:
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        return Parsed("plain", problem="is nested too deeply to compare as JSON")
    except ValueError as exc:  # JSONDecodeError, and integers beyond Python's digit limit
        return Parsed("plain", problem=f"is not valid JSON ({exc})")
    return _indexed("json", value)


def _indexed(fmt: str, value: Any) -> Parsed:
    try:
        return Parsed(fmt, value, index=Index(value))
    except _TooDeep:
        return Parsed("plain", problem=f"is nested more than {MAX_DEPTH} levels deep")


class _DepthLimitedBuilder(TreeBuilder):
    """Stops the parse as soon as elements nest too deeply, before a huge tree is built."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0

    def start(self, tag: Any, attrs: dict[Any, Any]) -> Element:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _TooDeep
        return super().start(tag, attrs)

    def end(self, tag: Any) -> Element:
        self.depth -= 1
        return super().end(tag)


def _parse_xml(text: str) -> Parsed:
    # defusedxml: no entity declarations (billion laughs), no external entities or DTDs fetched.
    parser = DefusedXMLParser(
        target=_DepthLimitedBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(text)
        root = parser.close()
    except _TooDeep:
        return Parsed("plain", problem=f"is nested more than {MAX_DEPTH} levels deep")
    except DefusedXmlException:
        return Parsed("plain", problem="declares XML entities, which are not expanded (refused)")
    except (ParseError, ValueError) as exc:
        return Parsed("plain", problem=f"is not valid XML ({exc})")
    return _indexed("xml", _element(root))


def _element(element: Element) -> dict[str, Any]:
    """An element as plain values: attribute order, comments and indentation are gone."""
    node: dict[str, Any] = {"tag": element.tag}
    node.update((f"@{name}", value) for name, value in element.attrib.items())
    if text := _squash(element.text):
        node["text"] = text
    if children := [_element(child) for child in element]:
        node["children"] = children
    if tail := _squash(element.tail):
        node["tail"] = tail
    return node


def _squash(text: str | None) -> str:
    return " ".join(text.split()) if text else ""


def _parse_csv(text: str) -> Parsed | None:
    delimiter = csv_delimiter(text)
    if delimiter is None:
        return None
    try:
        records = _records(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error:  # a field beyond the csv module's size limit, a stray NUL
        return None
    widths = Counter(len(row) for _, row in records if not row[0].startswith("#"))
    if len(records) < 2 or not widths or (width := widths.most_common(1)[0][0]) < 2:
        return None
    # "# ..." lines of another width are comments, as many CSV writers and readers allow them
    records = [(n, row) for n, row in records if len(row) == width or not row[0].startswith("#")]
    odd = [(n, row) for n, row in records if len(row) != width]
    if odd:
        if len(odd) > 0.1 * len(records):
            return None  # not a table at all: prose with a few commas
        line, row = odd[0]
        return Parsed(
            "plain", problem=f"is not valid CSV (line {line} has {len(row)} fields, not {width})"
        )
    rows = [row for _, row in records]
    return Parsed("csv", _Table(rows, [n for n, _ in records], _looks_like_header(rows)))


def csv_delimiter(text: str) -> str | None:
    """The delimiter that splits the first lines into one number (>= 2) of fields, the widest
    if several do; None when the text is no table. Media-type detection asks this too. Not
    csv.Sniffer: its regular expressions took 20-40 s on 64 KB of `,"`."""
    head = text[:CSV_SAMPLE].split("\n")[:-1][:CSV_SAMPLE_LINES]  # whole lines only
    lines = [line for line in head if line.strip()]
    if len(lines) < 2:
        return None  # one line (perhaps of 10 MB) is not a table
    found = []
    for delimiter in ",;\t|":
        try:
            rows = csv.reader(lines, delimiter=delimiter)
            widths = {len(row) for row in rows if not row[0].lstrip().startswith("#")}
        except csv.Error:
            continue
        if len(widths) == 1 and (width := widths.pop()) >= 2:
            found.append((width, delimiter))
    return max(found)[1] if found else None


def _records(reader: Any) -> list[tuple[int, list[str]]]:
    """Non-empty records with the file line each starts on (a quoted field may span lines)."""
    records, start = [], 1
    for row in reader:
        if row:
            records.append((start, [cell.strip() for cell in row]))
        start = reader.line_num + 1
    return records


def _looks_like_header(rows: list[list[str]]) -> bool:
    """Distinct, non-empty, non-numeric names over at least one column of numbers."""
    first, data = rows[0], rows[1 : 1 + CSV_SAMPLE_LINES]
    if not _labels(first) or any(_number(cell) for cell in first):
        return False
    return any(sum(_number(row[k]) for row in data) >= 0.8 * len(data) for k in range(len(first)))


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


class Index:
    """A fingerprint and a leaf count for every container of a document, computed once, so
    equal subtrees are recognised in O(1) and array elements can be aligned by fingerprint.
    1 and 1.0 are the same number; true and 1 are not."""

    def __init__(self, root: Any) -> None:
        self.memo: dict[int, tuple[int, int]] = {}
        self.leaves = self._visit(root, 0)[1]

    def of(self, value: Any) -> tuple[int, int]:
        if isinstance(value, dict | list):
            return self.memo[id(value)]
        return hash(_scalar_key(value)), 1

    def _visit(self, value: Any, depth: int) -> tuple[int, int]:
        if not isinstance(value, dict | list):
            return self.of(value)
        if depth >= MAX_DEPTH:
            raise _TooDeep
        if isinstance(value, dict):
            kids = {key: self._visit(child, depth + 1) for key, child in value.items()}
            found = hash(("{", frozenset((key, h) for key, (h, _) in kids.items())))
        else:
            kids = {n: self._visit(child, depth + 1) for n, child in enumerate(value)}
            found = hash(("[", tuple(h for h, _ in kids.values())))
        self.memo[id(value)] = (found, sum(n for _, n in kids.values()) or 1)
        return self.memo[id(value)]


def _scalar_key(value: Any) -> tuple[Any, ...]:
    if isinstance(value, bool) or value is None:
        return ("literal", value)
    if isinstance(value, float) and value != value:
        return ("number", "nan")  # NaN hashes by identity: two NaNs would never match
    if isinstance(value, int | float):
        return ("number", value)  # hash(1) == hash(1.0), and the tuples compare equal too
    return ("string", value)


# --- structured: comparing -----------------------------------------------------------------------


class _Differ:
    """Walks two documents side by side: objects by key, arrays aligned by fingerprint (so one
    inserted element is one addition, not a shift of everything after it), scalars by value.
    Counts every difference in leaves; keeps the first MAX_CHANGES as records."""

    def __init__(self, ia: Index, ib: Index) -> None:
        self.ia, self.ib = ia, ib
        self.equal = self.changed = self.added = self.removed = self.total = 0
        self.records: list[Record] = []

    def diff(self, a: Any, b: Any, at_a: Steps, at_b: Steps) -> None:
        (ha, na), (hb, nb) = self.ia.of(a), self.ib.of(b)
        if ha == hb:
            self.equal += na
        elif isinstance(a, dict) and isinstance(b, dict):
            self._dicts(a, b, at_a, at_b)
        elif isinstance(a, list) and isinstance(b, list):
            self._lists(a, b, at_a, at_b)
        else:
            if isinstance(a, dict | list) or isinstance(b, dict | list):
                self.removed, self.added = self.removed + na, self.added + nb
            else:
                self.changed += 1
            self._note(Record("changed", at_a, at_b, a, b))

    def _dicts(self, a: dict[Any, Any], b: dict[Any, Any], at_a: Steps, at_b: Steps) -> None:
        for key, value in a.items():
            if key in b:
                self.diff(value, b[key], (*at_a, key), (*at_b, key))
            else:
                self._gone(value, (*at_a, key))
        for key, value in b.items():
            if key not in a:
                self._new(value, (*at_b, key))

    def _lists(self, a: list[Any], b: list[Any], at_a: Steps, at_b: Steps) -> None:
        keys_a, keys_b = [self.ia.of(x)[0] for x in a], [self.ib.of(y)[0] for y in b]
        for tag, i1, i2, j1, j2 in align(keys_a, keys_b).ops:
            if tag == "equal":
                self.equal += sum(self.ia.of(x)[1] for x in a[i1:i2])
            elif tag == "replace":
                for k in range(i2 - i1):
                    self.diff(a[i1 + k], b[j1 + k], (*at_a, i1 + k), (*at_b, j1 + k))
            else:
                for i in range(i1, i2):
                    self._gone(a[i], (*at_a, i))
                for j in range(j1, j2):
                    self._new(b[j], (*at_b, j))

    def _gone(self, value: Any, at: Steps) -> None:
        self.removed += self.ia.of(value)[1]
        self._note(Record("removed", at, None, old=value))

    def _new(self, value: Any, at: Steps) -> None:
        self.added += self.ib.of(value)[1]
        self._note(Record("added", None, at, new=value))

    def _note(self, record: Record) -> None:
        self.total += 1
        if len(self.records) < MAX_CHANGES:
            self.records.append(record)


@dataclass
class _Prepared:
    """Two documents ready to walk, how many values each holds, and how to describe a change."""

    value_a: Any
    value_b: Any
    total_a: int
    total_b: int
    describe: Callable[[Record], Change]
    first: list[Change] = field(default_factory=list)  # changes found before the walk
    index_a: Index | None = None  # already built while parsing (JSON, XML)
    index_b: Index | None = None


def compare_structured(pa: Parsed, pb: Parsed, metrics: dict[str, Any]) -> Result:
    """Two parsed documents of the same format, compared value by value; `metrics` (the
    engine's encodings and formats so far) is completed and becomes the result's."""
    prepared = _prepare_csv(pa, pb) if pa.format == "csv" else _prepare_tree(pa, pb)
    differ = _Differ(
        prepared.index_a or Index(prepared.value_a), prepared.index_b or Index(prepared.value_b)
    )
    if prepared.value_a is not None:
        differ.diff(prepared.value_a, prepared.value_b, (), ())
    changes = prepared.first + [prepared.describe(r) for r in differ.records]
    total = prepared.total_a + prepared.total_b
    wa, wb = Words.of(_canonical(prepared.value_a)), Words.of(_canonical(prepared.value_b))
    metrics.update(
        format=pa.format,
        structure="compared",
        values_a=prepared.total_a,
        values_b=prepared.total_b,
        values_equal=differ.equal,
        values_changed=differ.changed,
        values_added=differ.added,
        values_removed=differ.removed,
        changes_total=len(prepared.first) + differ.total,
        changes_shown=min(len(changes), MAX_CHANGES),
    )
    metrics.update(text_metrics(distance(wa, wb), wa, wb), text_basis="canonical values")
    similarity = score(100 * 2 * differ.equal / total if total else 100.0, differs=bool(changes))
    shown = changes[:MAX_CHANGES]
    sentence = (summaries.cells if pa.format == "csv" else summaries.paths)(shown)
    beyond = summaries.beyond(len(shown), len(prepared.first) + differ.total)
    return Result(
        similarity=similarity,
        metrics=metrics,
        changes=shown,
        identical=not changes,  # key order, layout, quoting and comments make no change
        summary=", ".join(part for part in (sentence, beyond) if part),
    )


def _canonical(value: Any) -> str:
    """One rendering of the values whatever their layout, for WER and CER of the content."""
    return json.dumps(value, sort_keys=True, indent=1, ensure_ascii=False, default=str)


def _prepare_tree(pa: Parsed, pb: Parsed) -> _Prepared:
    assert pa.index is not None and pb.index is not None  # set for every parsed JSON/XML file
    if pa.format == "xml":
        root_a, root_b = pa.value, pb.value
        return _Prepared(
            pa.value, pb.value, pa.index.leaves, pb.index.leaves,
            lambda record: xml_change(record, root_a, root_b),
            index_a=pa.index, index_b=pb.index,
        )  # fmt: skip
    return _Prepared(
        pa.value, pb.value, pa.index.leaves, pb.index.leaves, json_change,
        index_a=pa.index, index_b=pb.index,
    )  # fmt: skip


# CSV: records matched by content, cells by column name when both files have a header row


def _prepare_csv(pa: Parsed, pb: Parsed) -> _Prepared:
    ta, tb = pa.value, pb.value
    named = (ta.header_likely or tb.header_likely or ta.rows[0] == tb.rows[0]) and (
        _labels(ta.rows[0]) and _labels(tb.rows[0])
    )
    if not named:
        return _Prepared(
            ta.rows, tb.rows, _cells(ta.rows), _cells(tb.rows),
            lambda record: csv_change(record, named=False),
        )  # fmt: skip
    names_a, names_b = ta.rows[0], tb.rows[0]
    common = [name for name in names_a if name in names_b]
    columns = [
        column_change("removed", n, _column(ta.rows, n)) for n in names_a if n not in names_b
    ]
    columns += [column_change("added", n, _column(tb.rows, n)) for n in names_b if n not in names_a]
    return _Prepared(
        _by_name(ta.rows[1:], names_a, common) if common else None,
        _by_name(tb.rows[1:], names_b, common) if common else None,
        _cells(ta.rows[1:]), _cells(tb.rows[1:]),
        lambda record: csv_change(record, named=True),
        columns,
    )  # fmt: skip


def _column(rows: list[list[str]], name: str) -> list[str]:
    """A column's values, below its header."""
    k = rows[0].index(name)
    return [row[k] for row in rows[1:]]


def _labels(row: list[str]) -> bool:
    return all(row) and len(set(row)) == len(row)


def _cells(rows: list[list[str]]) -> int:
    return sum(len(row) for row in rows)


def _by_name(rows: list[list[str]], names: list[str], common: list[str]) -> list[dict[str, str]]:
    where = [names.index(name) for name in common]
    return [{name: row[k] for name, k in zip(common, where, strict=True)} for row in rows]
