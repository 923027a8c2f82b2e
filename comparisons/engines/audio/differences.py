"""What differs between two recordings, as changes in the one shape (engines/changes.py): a
stretch of file1 that plays different sound in file2 is `changed`, sound only one file has is
`removed` or `added`, shared audio that sounds degraded (noise, distortion) is `changed` with a
magnitude that says how much, and a delay of the whole recording is `shifted`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from comparisons.engines import changes
from comparisons.engines.audio.align import FRAME_S, Bools, Ints, Spectrum
from comparisons.engines.audio.match import Segment
from comparisons.engines.changes import Change

Range = tuple[float, float]  # seconds in one file
# A stretch both files share is reported as `changed` (degraded) when its matched frames score
# under CLEAN_SCORE (0-100), or when their log-mel power differs by more than DEGRADED_DB on
# average. The score is made to shrug off noise (so noisy copies still match), so the level gap
# is what sees it. Measured on a minute of espeak-ng speech against its WAV: re-encodes differ by
# 0.04 (MP3 128k) to 0.6 (MP3 32k, AAC 48k) and 1.9 dB (Opus 16 kbit/s) and score 96.8-100;
# white noise at 30 dB SNR differs by 0.8 dB (reported as unchanged, like a lossy codec), at
# 20 dB by 3.1 dB (changed).
CLEAN_SCORE = 95.0
DEGRADED_DB = 2.5
FULL_DB = 20.0  # a level gap this large is a magnitude of 1
LOG_FLOOR = 1e-6  # -60 dB under each file's peak, as the features floor it
# A delay under this is encoder priming (tens of milliseconds), not a change.
SHIFT_TOLERANCE_S = 0.1


def find(
    segments: Sequence[Segment],
    only_a: list[Range],
    only_b: list[Range],
    gaps: Sequence[float] | None = None,
) -> list[Change]:
    """Every change, in file1's time order. `only_a`/`only_b`: stretches of sound in each file
    that found no counterpart in the other; `gaps`: each segment's level gap in dB (see
    `level_gaps`)."""
    gaps = gaps if gaps is not None else [0.0] * len(segments)
    found = []
    degraded = []
    for segment, gap in zip(segments, gaps, strict=True):
        if segment.score < CLEAN_SCORE or gap > DEGRADED_DB:
            degraded.append(segment)
            found.append(_degraded(segment, gap))
    only_a = _outside(only_a, [s.source for s in degraded])
    only_b = _outside(only_b, [s.target for s in degraded])
    found += _unmatched(segments, only_a, only_b)
    if not found:
        found = _shifts(segments)
    return sorted(found, key=lambda c: _moment(c, segments))


def _outside(ranges: list[Range], covering: list[Range]) -> list[Range]:
    """The ranges not inside one of `covering` (a degraded segment already reports them)."""
    return [r for r in ranges if not any(c[0] <= r[0] and r[1] <= c[1] for c in covering)]


def _degraded(segment: Segment, gap: float) -> Change:
    magnitude = max(1.0 - segment.score / 100.0, min(1.0, gap / FULL_DB))
    return changes.time(
        "changed", source=segment.source, target=segment.target, magnitude=magnitude
    )


def level_gaps(
    segments: Sequence[Segment], path: Ints, sound: Bools, a: Spectrum, b: Spectrum
) -> list[float]:
    """Per segment, the mean absolute difference in dB of the log-mel power of the frame pairs
    the alignment made inside it where both files hold sound (each spectrum is relative to its
    own peak, so a change of volume is no gap)."""
    log_a = 10 * np.log10(np.maximum(a.mel, LOG_FLOOR))
    log_b = 10 * np.log10(np.maximum(b.mel, LOG_FLOOR))
    times = a.start_s + path[:, 0] * FRAME_S
    gaps = []
    for segment in segments:
        inside = sound & (times >= segment.source[0]) & (times < segment.source[1])
        steps = path[inside]
        gap = np.abs(log_a[:, steps[:, 0]] - log_b[:, steps[:, 1]]).mean() if len(steps) else 0.0
        gaps.append(float(gap))
    return gaps


def _unmatched(
    segments: Sequence[Segment], only_a: list[Range], only_b: list[Range]
) -> list[Change]:
    """A stretch of file1 and one of file2 at the same moment (after the delay of the nearest
    shared audio) are one `changed` span — other words said there; the rest were removed from
    file1 or added in file2."""
    found: list[Change] = []
    left = list(only_b)
    for source in only_a:
        delay = _delay_near(segments, source[0])
        where = (source[0] + delay, source[1] + delay)
        partners = [r for r in left if r[0] < where[1] and where[0] < r[1]]
        if partners:
            left = [r for r in left if r not in partners]
            target = (min(r[0] for r in partners), max(r[1] for r in partners))
            found.append(changes.time("changed", source=source, target=target, magnitude=1.0))
        else:
            found.append(changes.time("removed", source=source, magnitude=1.0))
    found += [changes.time("added", target=target, magnitude=1.0) for target in left]
    return found


def _delay_near(segments: Sequence[Segment], moment: float) -> float:
    """file2's time minus file1's around `moment`: the last shared stretch before it, else the
    first after it, else none."""
    before = [s for s in segments if s.source[0] <= moment]
    if before:
        return max(before, key=lambda s: s.source[0]).offset_s
    return min(segments, key=lambda s: s.source[0]).offset_s if segments else 0.0


def _shifts(segments: Sequence[Segment]) -> list[Change]:
    """Shared audio that plays at another time in file2, when nothing else changed (a removed
    or added stretch already accounts for the delay it causes)."""
    return [
        changes.time(
            "shifted", source=s.source, target=s.target, magnitude=changes.apart(s.source, s.target)
        )
        for s in segments
        if abs(s.offset_s) >= SHIFT_TOLERANCE_S
    ]


def _moment(change: Change, segments: Sequence[Segment]) -> float:
    where = change["time"]
    if where["source_start"] is not None:
        return float(where["source_start"])
    return float(where["target_start"]) - _delay_near(segments, float(where["target_start"]))
