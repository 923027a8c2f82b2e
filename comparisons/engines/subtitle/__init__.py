"""The subtitle engine: SRT and WebVTT, in any encoding and line ending.

Two files are the same subtitles when they say the same words at the same times — whatever the
container (an SRT and a VTT of the same cues score 100) and whatever constant delay one of them
carries (the delay is detected and reported, not counted against them). The score weighs the
text (word error rate over all cue text in order) and the timing (how much of the time the cues
cover coincides once the delay is taken out).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from comparisons.engines.base import MediaInfo, Options, Progress, Result
from comparisons.engines.subtitle.parsed import ParseReport
from comparisons.engines.subtitle.read import Cue, read_subtitles
from comparisons.engines.textio import Words, align, distance, score

TEXT_WEIGHT = 0.7  # the words matter more than the timing
TIMING_TOLERANCE_MS = 150  # a cue boundary moved by less than this (after the offset) is the same
MAX_CHANGES = 200
MAX_SEGMENTS = 500


class SubtitleEngine:
    media_type = "subtitle"
    runs_async = False

    def probe(self, path: Path) -> MediaInfo:
        subs = read_subtitles(path, "the file")
        return MediaInfo(
            media_type="subtitle",
            format=subs.format,
            duration_s=subs.duration_s,
            extra={"cues": len(subs.cues), "encoding": subs.encoding} | _parse_extra(subs.report),
        )

    def compare(self, a: Path, b: Path, options: Options, progress: Progress) -> Result:
        sa, sb = read_subtitles(a, "file1"), read_subtitles(b, "file2")
        progress(30)
        comparison = _Comparison(sa.cues, sb.cues)
        progress(90)
        metrics = comparison.metrics() | {
            "format_a": sa.format,
            "format_b": sb.format,
            "encoding_a": sa.encoding,
            "encoding_b": sb.encoding,
            "duration_a_s": sa.duration_s,
            "duration_b_s": sb.duration_s,
            "parse": {"file1": sa.report.as_metrics(), "file2": sb.report.as_metrics()},
        }
        changes = comparison.changes()
        # 100 says the files agree in every respect: not when one of them needed repairs the
        # other did not (a "." for "," reads the same to FFmpeg, but not to every player)
        read_alike = sa.report.same_as(sb.report)
        return Result(
            similarity=score(comparison.similarity(), differs=bool(changes) or not read_alike),
            metrics=metrics,
            segments=comparison.segments()[:MAX_SEGMENTS],
            changes=changes[:MAX_CHANGES],
        )


engine = SubtitleEngine()


def _parse_extra(report: ParseReport) -> dict[str, Any]:
    """What a probe says about a file read only after repairs: nothing when it was read as
    written (the probe's `extra` stays as it was)."""
    return {"parse": report.as_metrics()} if report.issues else {}


# --- comparing -----------------------------------------------------------------------------------


class _Comparison:
    """Cues paired by their text in order (an edit-distance alignment of cue texts), the constant
    offset that best lines the pairs up in time, and every pair judged after that offset."""

    def __init__(self, a: list[Cue], b: list[Cue]) -> None:
        self.a, self.b = a, b
        self.ops = align([cue.text for cue in a], [cue.text for cue in b]).ops
        self.offset_ms = _best_offset(a, b, self._pairs(("equal",)), self._pairs(("replace",)))
        self.overlap = _coverage_iou(a, b, self.offset_ms)
        self.words = distance(_words(a), _words(b))

    def _pairs(self, tags: Iterable[str]) -> list[tuple[int, int]]:
        return [
            (i1 + k, j1 + k)
            for tag, i1, i2, j1, _ in self.ops
            if tag in tags
            for k in range(i2 - i1)
        ]

    def _in_time(self, i: int, j: int) -> bool:
        ca, cb = self.a[i], self.b[j]
        return (
            abs(cb.start_ms - self.offset_ms - ca.start_ms) <= TIMING_TOLERANCE_MS
            and abs(cb.end_ms - self.offset_ms - ca.end_ms) <= TIMING_TOLERANCE_MS
        )

    def matched(self) -> list[tuple[int, int]]:
        return [(i, j) for i, j in self._pairs(("equal",)) if self._in_time(i, j)]

    def similarity(self) -> float:
        text = 1 - min(self.words.wer, 1.0)
        return 100 * (TEXT_WEIGHT * text + (1 - TEXT_WEIGHT) * self.overlap)

    def metrics(self) -> dict[str, Any]:
        same_text = self._pairs(("equal",))
        matched = len(self.matched())
        return {
            "wer": round(self.words.wer, 4),
            "offset_ms": self.offset_ms,
            "timing_overlap": round(self.overlap, 4),
            "cues_a": len(self.a),
            "cues_b": len(self.b),
            "cues_matched": matched,
            "matched_ratio": round(matched / max(len(self.a), len(self.b)), 4),
            "cues_changed": len(self._pairs(("replace",))),
            "cues_retimed": len(same_text) - matched,
            "cues_removed": sum(i2 - i1 for tag, i1, i2, _, _ in self.ops if tag == "delete"),
            "cues_added": sum(j2 - j1 for tag, _, _, j1, j2 in self.ops if tag == "insert"),
            "alignment": self.words.alignment.method,
        }

    def changes(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for tag, i1, i2, j1, j2 in self.ops:
            if tag == "delete":
                found += [self._alone("removed", "a", i) for i in range(i1, i2)]
            elif tag == "insert":
                found += [self._alone("added", "b", j) for j in range(j1, j2)]
            else:
                found += [
                    self._pair_change(i1 + k, j1 + k)
                    for k in range(i2 - i1)
                    if tag == "replace" or not self._in_time(i1 + k, j1 + k)
                ]
            if len(found) >= MAX_CHANGES:
                break
        return found

    def _alone(self, kind: str, side: str, index: int) -> dict[str, Any]:
        if side == "a":
            return {"kind": kind, **self._where(index, None), "old": self.a[index].text}
        return {"kind": kind, **self._where(None, index), "new": self.b[index].text}

    def _pair_change(self, i: int, j: int) -> dict[str, Any]:
        ca, cb = self.a[i], self.b[j]
        change = {"kind": "changed", **self._where(i, j)}
        if ca.text == cb.text:  # same words, shown at another time than the offset explains
            return change | {"kind": "retimed", "text": ca.text, "shift_ms": self._shift(i, j)}
        return change | {"old": ca.text, "new": cb.text}

    def _where(self, i: int | None, j: int | None) -> dict[str, Any]:
        """Where a change is, in the names and units of the video and audio engines' changes
        (seconds; file1 is the source, file2 the target), plus each file's cue number. Every key
        is always there: a side without the cue (a removed or an added one) is null."""
        return _side("source", self.a, i) | _side("target", self.b, j)

    def _shift(self, i: int, j: int) -> int:
        return self.b[j].start_ms - self.offset_ms - self.a[i].start_ms

    def segments(self) -> list[dict[str, Any]]:
        """Time ranges where both files agree: runs of consecutive cues matched in text and time."""
        runs: list[list[tuple[int, int]]] = []
        for i, j in self.matched():
            if runs and runs[-1][-1] == (i - 1, j - 1):
                runs[-1].append((i, j))
            else:
                runs.append([(i, j)])
        return [self._segment(run) for run in runs]

    def _segment(self, run: list[tuple[int, int]]) -> dict[str, Any]:
        (i0, j0), (i1, j1) = run[0], run[-1]
        scores = [_cue_iou(self.a[i], self.b[j], self.offset_ms) for i, j in run]
        return {
            "source_start": self.a[i0].start_ms / 1000,
            "source_end": self.a[i1].end_ms / 1000,
            "target_start": self.b[j0].start_ms / 1000,
            "target_end": self.b[j1].end_ms / 1000,
            "score": round(100 * sum(scores) / len(scores), 1),  # 0-100, as video and audio
        }


def _side(name: str, cues: list[Cue], index: int | None) -> dict[str, Any]:
    cue = None if index is None else cues[index]
    return {
        f"{name}_index": None if index is None else index + 1,
        f"{name}_start": None if cue is None else cue.start_ms / 1000,
        f"{name}_end": None if cue is None else cue.end_ms / 1000,
    }


def _words(cues: list[Cue]) -> Words:
    return Words.of("\n".join(cue.text for cue in cues))


def _best_offset(
    a: list[Cue], b: list[Cue], same: list[tuple[int, int]], edited: list[tuple[int, int]]
) -> int:
    """The constant delay of b against a: the median start difference of cues with the same
    text (robust to a few retimed cues), else of cues paired in place; kept only if it makes the
    cues overlap better than no offset at all."""
    candidates = {0}
    for pairs in (same, edited):
        if pairs:
            candidates.add(
                round(statistics.median(b[j].start_ms - a[i].start_ms for i, j in pairs))
            )
    return max(sorted(candidates, key=abs), key=lambda offset: _coverage_iou(a, b, offset))


def _coverage_iou(a: list[Cue], b: list[Cue], offset_ms: int) -> float:
    """How much of the time either file shows a cue both do (b moved back by the offset)."""
    spans_a = _union((cue.start_ms, cue.end_ms) for cue in a)
    spans_b = _union((cue.start_ms - offset_ms, cue.end_ms - offset_ms) for cue in b)
    both = _intersection(spans_a, spans_b)
    either = sum(e - s for s, e in spans_a) + sum(e - s for s, e in spans_b) - both
    return both / either if either else 1.0


def _union(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _intersection(x: list[tuple[int, int]], y: list[tuple[int, int]]) -> int:
    total, i, j = 0, 0, 0
    while i < len(x) and j < len(y):
        total += max(0, min(x[i][1], y[j][1]) - max(x[i][0], y[j][0]))
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return total


def _cue_iou(ca: Cue, cb: Cue, offset_ms: int) -> float:
    start, end = cb.start_ms - offset_ms, cb.end_ms - offset_ms
    both = max(0, min(ca.end_ms, end) - max(ca.start_ms, start))
    either = max(ca.end_ms, end) - min(ca.start_ms, start)
    return both / either if either else 1.0
