"""From scored frame pairs to what a user reads: per-pair scores, a per-second timeline of file1,
matched segments and the ranges that differ (all in seconds)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from comparisons.engines import changes
from comparisons.engines.changes import Change

# A frame pair is "the same content" from this score up. Re-encoded, resized or re-timed copies
# score 85-100 per frame; unrelated pictures score under 10 (see SSIM_POINTS).
MATCH_SCORE = 60.0
# A matched stretch whose mean score is under this still shows the same content, but degraded
# beyond what re-encoding does (CRF 35, MPEG-4, other sizes and frame rates keep 85 and more):
# it is reported as `changed`, with a magnitude that says how much.
CLEAN_SCORE = 80.0
# Uncovered ends shorter than this are container rounding (8.00 s against 8.04 s), not content.
MIN_UNPAIRED_S = 0.2
# An offset under this is the codecs' timing (re-encodes land within 0.05 s), not a delay.
SHIFT_TOLERANCE_S = 0.1
MAX_GAP_S = 1.0  # pairs further apart than this (file2 has no frames between) do not form a run
# Runs shorter than this are folded into their neighbours: a single odd frame is not a segment.
MIN_RUN_S = 0.5
Range = tuple[float, float]  # (start, end) in seconds
SMOOTH_PAIRS = 5  # median window over pair scores, so codec noise does not split segments


# SSIM -> score, piecewise linear. Measured on 160-pixel grayscale frames of photos: re-encoded,
# resized or re-timed copies of a frame have SSIM 0.8-0.99; unrelated pictures 0.05-0.45, since
# smooth areas agree by chance. So 0.4 and below means nothing in common.
SSIM_POINTS = (0.4, 0.8, 1.0)
SCORE_POINTS = (0.0, 85.0, 100.0)


def pair_scores(ssim: np.ndarray) -> np.ndarray:
    """0..100 per pair."""
    scores: np.ndarray = np.interp(ssim, SSIM_POINTS, SCORE_POINTS)
    return scores


@dataclass(frozen=True)
class Run:
    first: int  # index into the pairs
    last: int
    matched: bool


def runs(scores: np.ndarray, times: np.ndarray) -> list[Run]:
    """Consecutive pairs on the same side of MATCH_SCORE, short runs folded into neighbours."""
    if len(scores) == 0:
        return []
    smooth = _median(scores, SMOOTH_PAIRS)
    matched = smooth >= MATCH_SCORE
    found: list[Run] = []
    start = 0
    for i in range(1, len(scores) + 1):
        if i == len(scores) or matched[i] != matched[start] or times[i] - times[i - 1] > MAX_GAP_S:
            found.append(Run(start, i - 1, bool(matched[start])))
            start = i
    return _fold_short(found, times)


def _median(values: np.ndarray, window: int) -> np.ndarray:
    half = window // 2
    padded = np.pad(values, half, mode="edge")
    smooth: np.ndarray = np.median(np.lib.stride_tricks.sliding_window_view(padded, window), axis=1)
    return smooth


def _fold_short(found: list[Run], times: np.ndarray) -> list[Run]:
    merged: list[Run] = []
    for run in found:
        short = times[run.last] - times[run.first] < MIN_RUN_S
        joinable = merged and _adjacent(merged[-1], run, times)
        if joinable and (short or merged[-1].matched == run.matched):
            merged[-1] = Run(merged[-1].first, run.last, merged[-1].matched)
        else:
            merged.append(run)
    return merged


def _adjacent(left: Run, right: Run, times: np.ndarray) -> bool:
    return right.first == left.last + 1 and times[right.first] - times[left.last] <= MAX_GAP_S


@dataclass(frozen=True)
class Span:
    """A time range of file1 and where it is in file2 (file2's time = file1's + offset), with its
    mean score."""

    source_start: float
    source_end: float
    offset: float
    score: float

    def as_dict(self, **extra: Any) -> dict[str, Any]:
        return {
            "source_start": round(self.source_start, 2),
            "source_end": round(self.source_end, 2),
            "target_start": round(self.source_start + self.offset, 2),
            "target_end": round(self.source_end + self.offset, 2),
            "score": round(self.score, 1),
            **extra,
        }


def spans(
    found: list[Run], times: np.ndarray, scores: np.ndarray, step: float, offset: float, end: float
) -> list[tuple[Span, bool]]:
    """Each run as a Span, with whether it matched. A run ends one sample step after its last
    frame, or where the overlap of the two files ends (`end`, in file1's time)."""
    return [
        (
            Span(
                source_start=float(times[run.first]),
                source_end=min(end, float(times[run.last] + step)),
                offset=offset,
                score=float(scores[run.first : run.last + 1].mean()),
            ),
            run.matched,
        )
        for run in found
    ]


def timeline(times: np.ndarray, scores: np.ndarray, seconds: int) -> list[float | None]:
    """Mean score of each whole second of file1; None where file2 has nothing at that moment."""
    line: list[float | None] = []
    second_of = np.floor(times).astype(int)
    for second in range(seconds):
        inside = scores[second_of == second]
        line.append(round(float(inside.mean()), 1) if len(inside) else None)
    return line


def unpaired(duration_a: float, duration_b: float, offset: float) -> list[Change]:
    """The ends of either file that have no counterpart in the other at this offset (file2's
    time = file1's + offset): a `removed` span of file1 or an `added` span of file2."""
    start, end = max(0.0, -offset), min(duration_a, duration_b - offset)  # overlap, file1's time
    found = []
    for where in ((0.0, start), (end, duration_a)):
        if where[1] - where[0] >= MIN_UNPAIRED_S:
            found.append(changes.time("removed", source=where, magnitude=1.0))
    for where in ((0.0, offset), (duration_a + offset, duration_b)):
        if where[1] - where[0] >= MIN_UNPAIRED_S:
            found.append(changes.time("added", target=where, magnitude=1.0))
    return found


def degraded(span: Span) -> bool:
    return span.score < CLEAN_SCORE


def differing(span: Span) -> Change:
    """A stretch of file1 whose frames do not match file2's at the same moment, or match but
    with more loss than re-encoding causes (see CLEAN_SCORE)."""
    return changes.time(
        "changed",
        source=(span.source_start, span.source_end),
        target=(span.source_start + span.offset, span.source_end + span.offset),
        magnitude=1.0 - span.score / 100.0,
    )


def shifted(duration_a: float, duration_b: float, offset: float) -> list[Change]:
    """The whole overlap, when file2 plays it at another time and no uncovered end already
    says so (an offset under MIN_UNPAIRED_S leaves none): frames a few hundredths of a second
    apart are the codec's timing, a tenth of a second or more is a delay someone added."""
    if abs(offset) < SHIFT_TOLERANCE_S or unpaired(duration_a, duration_b, offset):
        return []
    start, end = max(0.0, -offset), min(duration_a, duration_b - offset)
    if end <= start:
        return []
    source, target = (start, end), (start + offset, end + offset)
    return [
        changes.time(
            "shifted", source=source, target=target, magnitude=changes.apart(source, target)
        )
    ]


def overlap_seconds(duration_a: float, duration_b: float, offset: float) -> float:
    """How long both files play shared moments at this offset (file2's time = file1's + offset)."""
    return max(0.0, min(duration_a, duration_b - offset) - max(0.0, -offset))
