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

from comparisons.engines import changes, spec_of, summaries
from comparisons.engines.base import MediaInfo, Options, Progress, Result
from comparisons.engines.changes import Change, Kind
from comparisons.engines.subtitle.parsed import ParseReport
from comparisons.engines.subtitle.read import Cue, read_subtitles
from comparisons.engines.textio import Words, align, clip, difference, distance, score

TEXT_WEIGHT = 0.7  # the words matter more than the timing
TIMING_TOLERANCE_MS = 150  # a cue boundary moved by less than this (after the offset) is the same
MAX_CHANGES = 200
MAX_SEGMENTS = 500


class SubtitleEngine:
    media_type = "subtitle"
    runs_async = spec_of(media_type).runs_async  # its facts live in the registry's line

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
        found = comparison.changes()[:MAX_CHANGES]
        # 100 says the files agree in every respect: not when a cue differs (a constant delay
        # is reported, not counted), nor when one file needed repairs the other did not (a "."
        # for "," reads the same to FFmpeg, but not to every player)
        read_alike = sa.report.same_as(sb.report)
        cue_differs = any("cue" in change for change in found)
        return Result(
            similarity=score(comparison.similarity(), differs=cue_differs or not read_alike),
            metrics=metrics,
            segments=comparison.segments()[:MAX_SEGMENTS],
            changes=found,
            identical=not found,  # boundaries within TIMING_TOLERANCE_MS are no change
            summary=_summary(found, comparison.metrics()),
        )


engine = SubtitleEngine()


def _summary(found: list[Change], metrics: dict[str, Any]) -> str:
    """ "all cues 2 s later, 2 cues retimed, 1 cue changed": counted over every cue, not only
    the changes listed."""
    parts = [
        summaries.times([c]).replace("file2 plays", "all cues") for c in found if "cue" not in c
    ]
    for word in ("retimed", "changed", "added", "removed"):
        if count := metrics[f"cues_{word}"]:
            parts.append(f"{summaries.plural(count, 'cue')} {word}")
    return summaries.joined(parts)


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

    def changes(self) -> list[Change]:
        """Cue by cue, in order: removed, added, changed text, and retimed (`shifted`) cues —
        after one `shifted` change for the whole file when it carries a constant delay."""
        found: list[Change] = self._delay()
        for tag, i1, i2, j1, j2 in self.ops:
            if tag == "delete":
                found += [self._alone("removed", i, None) for i in range(i1, i2)]
            elif tag == "insert":
                found += [self._alone("added", None, j) for j in range(j1, j2)]
            else:
                found += [
                    self._pair_change(i1 + k, j1 + k)
                    for k in range(i2 - i1)
                    if tag == "replace" or not self._in_time(i1 + k, j1 + k)
                ]
            if len(found) >= MAX_CHANGES:
                break
        return found

    def _delay(self) -> list[Change]:
        """A constant delay moves every cue: one change for all of them (their own retiming,
        beyond it, is listed cue by cue)."""
        if abs(self.offset_ms) <= TIMING_TOLERANCE_MS:
            return []
        first, last = self.a[0].start_ms / 1000, self.a[-1].end_ms / 1000
        delay = self.offset_ms / 1000
        source, target = (first, last), (first + delay, last + delay)
        return [
            changes.time(
                "shifted", source=source, target=target, magnitude=changes.apart(source, target)
            )
        ]

    def _alone(self, kind: Kind, i: int | None, j: int | None) -> Change:
        """A cue only one file has: its text is `before` (removed) or `after` (added)."""
        return changes.cue(
            kind, source_index=_number(i), target_index=_number(j),
            source=_span(self.a, i), target=_span(self.b, j),
            before=None if i is None else clip(self.a[i].text),
            after=None if j is None else clip(self.b[j].text),
            magnitude=1.0,
        )  # fmt: skip

    def _pair_change(self, i: int, j: int) -> Change:
        ca, cb = self.a[i], self.b[j]
        if ca.text == cb.text:  # same words, shown at another time than the delay explains
            moved = (cb.start_ms - self.offset_ms) / 1000, (cb.end_ms - self.offset_ms) / 1000
            apart = changes.apart((ca.start_ms / 1000, ca.end_ms / 1000), moved)
            return self._both("shifted", i, j, apart)
        return self._both("changed", i, j, difference(ca.text, cb.text))

    def _both(self, kind: Kind, i: int, j: int, magnitude: float) -> Change:
        return changes.cue(
            kind, source_index=i + 1, target_index=j + 1,
            source=_span(self.a, i), target=_span(self.b, j),
            before=clip(self.a[i].text), after=clip(self.b[j].text), magnitude=magnitude,
        )  # fmt: skip

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


def _number(index: int | None) -> int | None:
    """A cue's 1-based number, as a subtitle file counts them."""
    return None if index is None else index + 1


def _span(cues: list[Cue], index: int | None) -> tuple[float | None, float | None]:
    """A cue's time in seconds; (None, None) on the side that does not have it."""
    if index is None:
        return changes.NO_SPAN
    return cues[index].start_ms / 1000, cues[index].end_ms / 1000


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
