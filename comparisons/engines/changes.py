"""The one shape every change takes, whatever the media type (docs/change-model.md).

Engines build their `changes` with these constructors, so a client needs one parser and a page
one renderer: a `kind`, exactly one location named by its unit (subtitles: `cue` plus `time`),
`before`/`after` as JSON values and a `magnitude` from 0 to 1."""

from __future__ import annotations

from typing import Any, Literal

Kind = Literal["added", "removed", "changed", "moved", "shifted"]
KINDS: tuple[str, ...] = ("added", "removed", "changed", "moved", "shifted")
LOCATIONS: tuple[str, ...] = ("region", "time", "lines", "path", "cell", "cue")

Change = dict[str, Any]
Box = tuple[int, int, int, int]  # x, y, width, height


def _change(
    kind: Kind, location: dict[str, Any], before: Any, after: Any, magnitude: float
) -> Change:
    if kind not in KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    return {
        "kind": kind,
        **location,
        "before": before,
        "after": after,
        "magnitude": _share(magnitude),
    }


def _share(magnitude: float) -> float:
    """0..1 to 3 decimals; a change that differs at all never rounds down to 0 (0.001)."""
    value = min(1.0, max(0.0, float(magnitude)))
    return max(round(value, 3), 0.001) if value > 0 else 0.0


def _box(box: Box) -> dict[str, int]:
    x, y, width, height = box
    return {"x": int(x), "y": int(y), "width": int(width), "height": int(height)}


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def _span(
    source: tuple[float | None, float | None], target: tuple[float | None, float | None]
) -> dict[str, float | None]:
    return {
        "source_start": _seconds(source[0]),
        "source_end": _seconds(source[1]),
        "target_start": _seconds(target[0]),
        "target_end": _seconds(target[1]),
    }


NO_SPAN: tuple[None, None] = (None, None)


def apart(source: tuple[float, float], target: tuple[float, float]) -> float:
    """The magnitude of a `shifted` span: 1 - intersection over union of where it was and where
    it is (in one time base), so 0 is the same place and 1 no overlap at all."""
    both = max(0.0, min(source[1], target[1]) - max(source[0], target[0]))
    either = max(source[1], target[1]) - min(source[0], target[0])
    return 1.0 - both / either if either > 0 else 0.0


def region(
    kind: Kind, box: Box, *, magnitude: float, target: Box | None = None,
    before: Any = None, after: Any = None,
) -> Change:  # fmt: skip
    """A rectangle in file1's pixels; `target` is the same place in file2's pixels, given only
    when it differs (other sizes, or an alignment in feature mode)."""
    location: dict[str, Any] = _box(box)
    if target is not None and tuple(target) != tuple(box):
        location["target"] = _box(target)
    return _change(kind, {"region": location}, before, after, magnitude)


def time(
    kind: Kind, *, source: tuple[float | None, float | None] = NO_SPAN,
    target: tuple[float | None, float | None] = NO_SPAN, magnitude: float,
    before: Any = None, after: Any = None,
) -> Change:  # fmt: skip
    """A span in seconds in each file; a side without the content is (None, None)."""
    return _change(kind, {"time": _span(source, target)}, before, after, magnitude)


def lines(
    kind: Kind, *, source: tuple[int, int] | None, target: tuple[int, int] | None,
    before: Any, after: Any, magnitude: float,
) -> Change:  # fmt: skip
    """1-based, inclusive line ranges; None for a side that has no lines in this change."""
    where = {
        "source_start": source[0] if source else None,
        "source_end": source[1] if source else None,
        "target_start": target[0] if target else None,
        "target_end": target[1] if target else None,
    }
    return _change(kind, {"lines": where}, before, after, magnitude)


def path(kind: Kind, where: str, *, before: Any, after: Any, magnitude: float = 1.0) -> Change:
    """A JSONPath (`$.a.b[3]`) or an XML path (`/a/b[2]/@id`)."""
    return _change(kind, {"path": where}, before, after, magnitude)


def cell(
    kind: Kind, *, row: int | None, column: str | int | None, before: Any, after: Any,
    magnitude: float = 1.0,
) -> Change:  # fmt: skip
    """A CSV cell: 1-based data row and the column's name; None row = a whole column, None
    column = a whole row."""
    return _change(kind, {"cell": {"row": row, "column": column}}, before, after, magnitude)


def cue(
    kind: Kind, *, source_index: int | None, target_index: int | None,
    source: tuple[float | None, float | None] = NO_SPAN,
    target: tuple[float | None, float | None] = NO_SPAN,
    before: Any, after: Any, magnitude: float,
) -> Change:  # fmt: skip
    """A subtitle cue: its 1-based number in each file plus its time in each file."""
    location = {
        "cue": {"source_index": source_index, "target_index": target_index},
        "time": _span(source, target),
    }
    return _change(kind, location, before, after, magnitude)


def location_of(change: Change) -> str:
    """The key that locates a change (`cue` for subtitles, which also carry `time`)."""
    if "cue" in change:  # checked first: a cue change has a `time` too
        return "cue"
    return next(key for key in LOCATIONS if key in change)
