"""Subtitle results: a cue table (file1's cue beside file2's, SRT timecodes, the words that
differ marked) and the constant delay in words ("file2's cues come 0.8 s later").

Cues are paired the way the subtitle engine pairs them (its aligner over the cue texts); which
pairs changed is the engine's answer (the `cue` changes), not judged again here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from comparisons.engines.base import UnreadableFile
from comparisons.engines.subtitle.read import Cue, read_subtitles
from comparisons.engines.textio import align
from comparisons.models import Comparison
from comparisons.results import originals, wording
from comparisons.results.textdiff import Piece, Row, fold, words

CONTEXT = 2  # unchanged cues kept around a change (and at the start, where a delay shows)
MAX_CUE_ROWS = 1_000


@dataclass
class SubtitleView:
    shift: str  # the constant delay in words, "" when there is none
    rows: list[Row]  # number_a/number_b are cue numbers; time_a/time_b their timecodes
    from_files: bool
    truncated: bool = False


def view(comparison: Comparison, changes: list[dict[str, Any]]) -> SubtitleView:
    delayed = any(c["kind"] == "shifted" and "cue" not in c for c in changes)
    shift = wording.cues_come(comparison.metrics.get("offset_ms")) if delayed else ""
    cue_changes = [c for c in changes if "cue" in c]
    with originals.local_copies(comparison) as paths:
        cues = _read(paths) if paths else None
    if cues is None:
        rows = fold([_row_of_change(change) for change in cue_changes])
        return SubtitleView(shift, rows, from_files=False)
    rows = _rows(*cues, kinds=_kinds(cue_changes))
    head = rows[: CONTEXT + 1] if delayed else []  # the first cues show the delay
    shown = head + fold(rows[len(head) :], CONTEXT) if head else fold(rows, CONTEXT)
    truncated = len(shown) > MAX_CUE_ROWS
    return SubtitleView(shift, shown[:MAX_CUE_ROWS], from_files=True, truncated=truncated)


def _read(paths: tuple[Any, Any]) -> tuple[list[Cue], list[Cue]] | None:
    try:
        return read_subtitles(paths[0], "file1").cues, read_subtitles(paths[1], "file2").cues
    except UnreadableFile:
        return None


def _kinds(changes: list[dict[str, Any]]) -> dict[tuple[int | None, int | None], str]:
    return {(c["cue"]["source_index"], c["cue"]["target_index"]): c["kind"] for c in changes}


def _rows(a: list[Cue], b: list[Cue], kinds: dict[tuple[int | None, int | None], str]) -> list[Row]:
    rows: list[Row] = []
    for tag, i1, i2, j1, j2 in align([cue.text for cue in a], [cue.text for cue in b]).ops:
        if tag in ("equal", "replace"):
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                rows.append(_pair(a[i], b[j], i + 1, j + 1, kinds.get((i + 1, j + 1), "same")))
        else:
            rows += [_one(a[i], i + 1, "removed") for i in range(i1, i2)]
            rows += [_one(b[j], j + 1, "added") for j in range(j1, j2)]
    return rows


def _pair(ca: Cue, cb: Cue, number_a: int, number_b: int, kind: str) -> Row:
    pieces_a, pieces_b = (
        words(ca.text, cb.text) if kind == "changed" else ([Piece(ca.text)], [Piece(cb.text)])
    )
    row = Row(kind, number_a, number_b, pieces_a, pieces_b)
    row.time_a, row.time_b = (
        _times(ca.start_ms / 1000, ca.end_ms / 1000),
        _times(cb.start_ms / 1000, cb.end_ms / 1000),
    )
    return row


def _one(cue: Cue, number: int, kind: str) -> Row:
    times = _times(cue.start_ms / 1000, cue.end_ms / 1000)
    if kind == "removed":
        row = Row(kind, number, None, a=[Piece(cue.text)])
        row.time_a = times
    else:
        row = Row(kind, None, number, b=[Piece(cue.text)])
        row.time_b = times
    return row


def _times(start: float | None, end: float | None) -> str:
    if start is None:
        return ""
    return f"{wording.timecode(start)} \u2192 {wording.timecode(end)}"


def _row_of_change(change: dict[str, Any]) -> Row:
    """A changed cue from the answer alone (after the uploads are deleted)."""
    cue, time = change["cue"], change["time"]
    before, after = change.get("before"), change.get("after")
    if isinstance(before, str) and isinstance(after, str) and change["kind"] == "changed":
        pieces_a, pieces_b = words(before, after)
    else:
        pieces_a = [Piece(before)] if isinstance(before, str) else []
        pieces_b = [Piece(after)] if isinstance(after, str) else []
    row = Row(change["kind"], cue["source_index"], cue["target_index"], pieces_a, pieces_b)
    row.time_a = _times(time["source_start"], time["source_end"])
    row.time_b = _times(time["target_start"], time["target_end"])
    return row
