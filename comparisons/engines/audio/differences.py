"""What differs between two recordings, as changes in the one shape (engines/changes.py): a
stretch of file1 that plays different sound in file2 is `changed`, sound only one file has is
`removed` or `added`, shared audio that sounds degraded (noise, distortion) is `changed` with a
magnitude that says how much, and a delay of the whole recording is `shifted`."""

from __future__ import annotations

from collections.abc import Sequence

from comparisons.engines import changes
from comparisons.engines.audio.match import Segment
from comparisons.engines.changes import Change

Range = tuple[float, float]  # seconds in one file
# Mean windowed similarity (0-100) of the frames a segment matched, from which it is the same
# sound: measured on a minute of speech, re-encodes keep 97.9 (Opus 16 kbit/s) to 100 (MP3 128k,
# AAC, Opus 64k), white noise at 30 dB SNR 99.2, at 20 dB 87.8. Below it the shared stretch is
# reported as changed although it still matches.
CLEAN_SCORE = 95.0
# A delay under this is encoder priming (tens of milliseconds), not a change.
SHIFT_TOLERANCE_S = 0.1


def find(segments: Sequence[Segment], only_a: list[Range], only_b: list[Range]) -> list[Change]:
    """Every change, in file1's time order. `only_a`/`only_b`: stretches of sound in each file
    that found no counterpart in the other."""
    degraded = [s for s in segments if s.score < CLEAN_SCORE]
    found = [_degraded(s) for s in degraded]
    only_a = _outside(only_a, [s.source for s in degraded])
    only_b = _outside(only_b, [s.target for s in degraded])
    found += _unmatched(segments, only_a, only_b)
    if not found:
        found = _shifts(segments)
    return sorted(found, key=lambda c: _moment(c, segments))


def _outside(ranges: list[Range], covering: list[Range]) -> list[Range]:
    """The ranges not inside one of `covering` (a degraded segment already reports them)."""
    return [r for r in ranges if not any(c[0] <= r[0] and r[1] <= c[1] for c in covering)]


def _degraded(segment: Segment) -> Change:
    return changes.time(
        "changed", source=segment.source, target=segment.target,
        magnitude=1.0 - segment.score / 100.0,
    )  # fmt: skip


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
