"""The `summary` sentence of a result, built from its changes (docs/change-model.md): what a
reader wants first — "seconds 20-24 differ", "2 cues retimed, 1 cue changed", "1 cell changed in
row 11", "3 lines changed" — and "No differences found." when there are none.

One function per location; `summarise` picks the one for the changes it is given, so a caller
that has no better sentence (an engine that set none) still gets one from the changes alone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from comparisons.engines.changes import LOCATIONS, Change, location_of

NO_DIFFERENCES = "No differences found."
LISTED = 3  # places named in a sentence before the rest are counted ("and 4 more")


def plural(count: int, word: str, words: str | None = None) -> str:
    """ "1 line", "3 lines", "1,200 cells"."""
    return f"{count:,} {word if count == 1 else (words or word + 's')}"


def joined(parts: Iterable[str]) -> str:
    """The non-empty parts, comma-separated; NO_DIFFERENCES when there are none."""
    kept = [part for part in parts if part]
    return ", ".join(kept) if kept else NO_DIFFERENCES


def listed(items: Sequence[str], more: str = "more") -> str:
    """ "a, b, c and 2 more" for a long list; all of them for a short one."""
    if len(items) <= LISTED:
        return ", ".join(items)
    return f"{', '.join(items[:LISTED])} and {len(items) - LISTED} {more}"


def seconds(value: float, decimals: int = 1) -> str:
    """A time as a reader writes it: 20.0, 3.5, 29.824 -> "20", "3.5", "29.8"."""
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


DASH = "\u2013"  # an en dash, as in "seconds 20–24"  # noqa: RUF003


def span(start: float | None, end: float | None) -> str:
    return f"{seconds(start or 0.0)}{DASH}{seconds(end or 0.0)}"


def beyond(shown: int, total: int) -> str:
    """Appended when the changes listed are fewer than those found."""
    return f"{total:,} changes in all, the first {shown:,} listed" if total > shown else ""


# --- one sentence per location -------------------------------------------------------------------


def times(changes: Sequence[Change]) -> str:
    """Video and audio: spans in seconds of each file."""
    by_kind: dict[str, list[Change]] = {}
    for change in changes:
        by_kind.setdefault(change["kind"], []).append(change)
    parts = []
    if changed := by_kind.get("changed"):
        spans = [span(c["time"]["source_start"], c["time"]["source_end"]) for c in changed]
        parts.append(f"seconds {listed(spans)} differ")
    if removed := by_kind.get("removed"):
        spans = [span(c["time"]["source_start"], c["time"]["source_end"]) for c in removed]
        parts.append(f"seconds {listed(spans)} of file1 are not in file2")
    if added := by_kind.get("added"):
        spans = [span(c["time"]["target_start"], c["time"]["target_end"]) for c in added]
        parts.append(f"seconds {listed(spans)} of file2 are not in file1")
    for change in by_kind.get("shifted", []):
        where = change["time"]
        delay = (where["target_start"] or 0.0) - (where["source_start"] or 0.0)
        later = "later" if delay > 0 else "earlier"
        parts.append(f"file2 plays {seconds(abs(delay), decimals=2)} s {later}")  # 0.25 s
    return joined(parts)


def cues(changes: Sequence[Change]) -> str:
    """Subtitles: cues retimed, changed, added, removed (a whole-file delay is said first)."""
    parts = [times([c]) for c in changes if "cue" not in c and c["kind"] == "shifted"]
    counts = Counter(c["kind"] for c in changes if "cue" in c)
    words = {"shifted": "retimed", "changed": "changed", "added": "added", "removed": "removed"}
    parts += [
        plural(counts[kind], "cue") + f" {word}" for kind, word in words.items() if counts[kind]
    ]
    return joined(parts)


def lines(changes: Sequence[Change]) -> str:
    """Plain text: how many lines of each file the hunks touch."""
    counts: Counter[str] = Counter()
    for change in changes:
        where = change["lines"]
        side = "target" if change["kind"] == "added" else "source"
        start, end = where[f"{side}_start"], where[f"{side}_end"]
        counts[change["kind"]] += end - start + 1 if start is not None and end is not None else 0
    order = ("changed", "removed", "added", "moved")
    return joined(plural(counts[kind], "line") + f" {kind}" for kind in order if counts[kind])


def paths(changes: Sequence[Change]) -> str:
    """JSON and XML: values changed, added, removed; the path itself when there is one."""
    if len(changes) == 1:
        return f"{changes[0]['path']} {changes[0]['kind']}"
    counts = Counter(c["kind"] for c in changes)
    order = ("changed", "removed", "added", "moved")
    return joined(plural(counts[kind], "value") + f" {kind}" for kind in order if counts[kind])


def cells(changes: Sequence[Change]) -> str:
    """CSV: cells changed (and in which rows), whole rows and columns added or removed."""
    parts = []
    changed = [
        c for c in changes if c["cell"]["row"] is not None and c["cell"]["column"] is not None
    ]
    if changed:
        rows = sorted({c["cell"]["row"] for c in changed})
        where = f"row {rows[0]}" if len(rows) == 1 else f"rows {listed([str(r) for r in rows])}"
        parts.append(f"{plural(len(changed), 'cell')} changed in {where}")
    for unit, key in (("row", "column"), ("column", "row")):  # a whole row has no column
        whole = Counter(c["kind"] for c in changes if c["cell"][key] is None)
        parts += [f"{plural(n, unit)} {kind}" for kind, n in sorted(whole.items())]
    return joined(parts)


def regions(changes: Sequence[Change]) -> str:
    """Images (the image engine writes its own, with the share of the image; this is the
    fallback): how many regions changed."""
    counts = Counter(c["kind"] for c in changes)
    return joined(plural(n, "region") + f" {kind}" for kind, n in sorted(counts.items()))


BY_LOCATION = {
    "time": times,
    "cue": cues,
    "lines": lines,
    "path": paths,
    "cell": cells,
    "region": regions,
}


def summarise(changes: Sequence[dict[str, Any]]) -> str:
    """The sentence for these changes, whatever their location (subtitles: cues first)."""
    if not changes:
        return NO_DIFFERENCES
    if not all(any(key in change for key in LOCATIONS) for change in changes):
        return f"{plural(len(changes), 'change')} found"  # a shape this module does not know
    found = {location_of(change) for change in changes}
    if "cue" in found:  # a subtitle's whole-file delay is a `time` change among its cue changes
        return cues(changes)
    parts = [BY_LOCATION[where]([c for c in changes if location_of(c) == where]) for where in found]
    return joined(sorted(parts))
