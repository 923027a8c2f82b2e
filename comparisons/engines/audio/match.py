"""From an alignment path to the answer: which frames of each file found their counterpart, the
matched segments in seconds, the stretches that did not match, the offset and the score."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from comparisons.engines.audio.align import FRAME_S, Bools, Features, Floats, Ints

MATCH_THRESHOLD = 0.6  # windowed similarity from which a stretch counts as the same audio
MERGE_GAP_S = 1.0  # matched runs closer than this (a pause, a cough) form one segment
MIN_SEGMENT_S = 1.0  # shorter runs are coincidences (one shared word), not shared audio...
MIN_SEGMENT_SHARE = 0.8  # ...unless a file is that short: then most of it is enough
MIN_UNMATCHED_S = 0.3  # unmatched stretches shorter than this are not worth marking


@dataclass(frozen=True)
class Segment:
    """A stretch of the first file (source) heard again in the second (target), in seconds."""

    source: tuple[float, float]
    target: tuple[float, float]
    score: float  # 0..100, mean windowed similarity of its matched frames
    offset_s: float  # median target - source time inside it

    def as_dict(self) -> dict[str, Any]:
        """MediaLayer's shape, which the API answers as `matched_segments` (score 0..100, the
        scale of `similarity` and of the video engine's segments)."""
        return {
            "source_start": round(float(self.source[0]), 3),
            "source_end": round(float(self.source[1]), 3),
            "target_start": round(float(self.target[0]), 3),
            "target_end": round(float(self.target[1]), 3),
            "score": round(float(self.score), 1),
        }


@dataclass
class Match:
    """Per-frame outcome of an alignment. Scores are 0..1 (the windowed similarity of the frame's
    best matched pairing, 0 when it found none)."""

    score_a: Floats
    score_b: Floats
    sound_a: Bools  # frames that are not silence: the only ones that count
    sound_b: Bools
    segments: list[Segment] = field(default_factory=list)

    @property
    def sound_frames(self) -> int:
        return int(self.sound_a.sum() + self.sound_b.sum())

    def similarity(self) -> float:
        """0..100: the mean match score over every sound frame of both files, so what either file
        has and the other lacks pulls the score down."""
        if self.sound_frames == 0:  # two silences are the same (silence vs sound scores 0 below)
            return 100.0
        total = self.score_a[self.sound_a].sum() + self.score_b[self.sound_b].sum()
        return float(100.0 * total / self.sound_frames)

    def matched_ratio(self) -> float:
        """Share of all sound frames, of both files, that found their counterpart."""
        if self.sound_frames == 0:
            return 1.0
        matched = (self.score_a[self.sound_a] > 0).sum() + (self.score_b[self.sound_b] > 0).sum()
        return float(matched / self.sound_frames)

    def offset_s(self) -> float | None:
        """How much later the second file plays the shared audio than the first (negative:
        earlier), from the longest segment; None when nothing matched."""
        if not self.segments:
            return None
        longest = max(self.segments, key=lambda s: s.source[1] - s.source[0])
        return longest.offset_s


def match(a: Features, b: Features, path: Ints, windowed: Floats) -> Match:
    """`windowed` is the diagonal-averaged similarity at each step of `path`."""
    matched = windowed >= MATCH_THRESHOLD
    kept = np.where(matched, windowed, 0.0).astype(np.float32)
    score_a = np.zeros(a.frames, np.float32)
    score_b = np.zeros(b.frames, np.float32)
    np.maximum.at(score_a, path[:, 0], kept)
    np.maximum.at(score_b, path[:, 1], kept)
    result = Match(score_a=score_a, score_b=score_b, sound_a=~a.silent, sound_b=~b.silent)
    result.segments = _segments(a, b, path, windowed, matched)
    return result


def _segments(
    a: Features, b: Features, path: Ints, windowed: Floats, matched: Bools
) -> list[Segment]:
    """Runs of matched steps, merged over short gaps and over pauses in both files."""
    quiet = a.silent[path[:, 0]] & b.silent[path[:, 1]]
    shortest = min(a.end_s - a.start_s, b.end_s - b.start_s)
    least = min(MIN_SEGMENT_S, MIN_SEGMENT_SHARE * shortest)
    segments = []
    for start, stop in _merge(_runs(matched), path, quiet):
        steps = path[start:stop]
        source = _seconds(a, int(steps[0, 0]), int(steps[-1, 0]) + 1)
        target = _seconds(b, int(steps[0, 1]), int(steps[-1, 1]) + 1)
        if min(source[1] - source[0], target[1] - target[0]) < least:
            continue
        counted = matched[start:stop]
        lag = float(np.median(steps[counted, 1] - steps[counted, 0]))
        score = 100.0 * float(windowed[start:stop][counted].mean())
        offset = round(lag * FRAME_S + b.start_s - a.start_s, 3)
        segments.append(Segment(source=source, target=target, score=score, offset_s=offset))
    return segments


def _seconds(f: Features, first: int, stop: int) -> tuple[float, float]:
    """Frames [first, stop) as times in their file, the end clipped to the file's last sample."""
    return first * FRAME_S + f.start_s, min(stop * FRAME_S + f.start_s, f.end_s)


def _runs(mask: Bools) -> list[tuple[int, int]]:
    """[start, stop) index ranges where `mask` is true."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def _merge(runs: list[tuple[int, int]], path: Ints, quiet: Bools) -> list[tuple[int, int]]:
    """Join neighbouring runs when the gap between them is short or a pause in both files."""
    merged: list[tuple[int, int]] = []
    for start, stop in runs:
        if merged:
            previous_stop = merged[-1][1]
            gap = path[start] - path[previous_stop - 1]
            short = max(int(gap[0]), int(gap[1])) * FRAME_S <= MERGE_GAP_S
            if short or quiet[previous_stop:start].all():
                merged[-1] = (merged[-1][0], stop)
                continue
        merged.append((start, stop))
    return merged


def unmatched_ranges(score: Floats, f: Features) -> list[tuple[float, float]]:
    """Stretches (seconds) of sound in one file that found no counterpart in the other. A pause
    inside a stretch does not split it; very short stretches are left out."""
    sound = ~f.silent
    missing = sound & (score <= 0)
    ranges = []
    for first, stop in _merge_frames(_runs(missing), sound):
        start_s, end_s = _seconds(f, first, stop)
        if end_s - start_s >= MIN_UNMATCHED_S:
            ranges.append((round(start_s, 3), round(end_s, 3)))
    return ranges


def _merge_frames(runs: list[tuple[int, int]], sound: Bools) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, stop in runs:
        if merged and not sound[merged[-1][1] : start].any():
            merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((start, stop))
    return merged


def timeline(score: Floats, sound: Bools, start_s: float, duration_s: float) -> list[float | None]:
    """Per second of a file: the mean match score (0..100) of its sound, None where silent."""
    seconds = max(1, int(np.ceil(duration_s)))
    which = np.minimum((start_s + np.arange(len(score)) * FRAME_S).astype(np.int64), seconds - 1)
    counts = np.bincount(which[sound], minlength=seconds)
    totals = np.bincount(which[sound], weights=score[sound], minlength=seconds)
    return [
        round(100.0 * float(total) / int(count), 1) if count else None
        for total, count in zip(totals, counts, strict=True)
    ]
