"""One audio comparison, step by step: decode both files, pre-align them to the sample, MFCC
frames, windowed similarity, dynamic time warping, then the score, the evidence and diff.png."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from comparisons.engines import heap, summaries
from comparisons.engines.audio import differences, render
from comparisons.engines.audio.align import (
    FRAME_S,
    Bools,
    Features,
    Floats,
    Ints,
    Spectrum,
    diagonal_similarity,
    features,
    frame_cosines,
    spectrum,
    sub_frame_shift,
    warp_path,
)
from comparisons.engines.audio.decode import RATE, AudioInfo, Samples, decode_mono, probe_audio
from comparisons.engines.audio.match import Match, match, timeline, unmatched_ranges
from comparisons.engines.base import (
    DIFF_IMAGE,
    Artifact,
    Progress,
    Result,
    UnreadableFile,
)
from comparisons.engines.changes import Change
from comparisons.engines.threads import single_threaded_blas

# A decode this much shorter than the header's duration means the data stops early (truncated).
# Raw AAC (ADTS) has no duration in its header; FFmpeg estimates one from the bitrate: slack.
TRUNCATED_RATIO = 0.9
TRUNCATED_SLACK_S = 1.0

T = TypeVar("T")
Unmatched = list[tuple[str, tuple[float, float]]]  # (owner "file1" or "file2", seconds)


@dataclass(frozen=True)
class Decoded:
    info: AudioInfo
    samples: Samples  # mono, RATE


@dataclass(frozen=True)
class Aligned:
    a: Features
    b: Features
    path: Ints  # (steps, 2) frame pairs, in order
    windowed: Floats  # windowed similarity at each step
    match: Match


def compare_files(a: Path, b: Path, progress: Progress) -> Result:
    """The steps, each public so the benchmark can time it alone."""
    single_threaded_blas()
    heap.for_arrays()
    progress(0.0)
    first, second = decode_both(a, b)
    progress(45.0)
    spectra = frame_spectra(first.samples, second.samples)
    features_a, features_b = features(*spectra)
    progress(60.0)
    aligned = align(features_a, features_b)
    progress(85.0)
    result = evidence(first, second, aligned, spectra)
    progress(100.0)
    return result


def decode_both(a: Path, b: Path) -> tuple[Decoded, Decoded]:
    """One file after the other: PyAV holds the GIL while it decodes audio, so two threads only
    took turns, and paid for it (both files, idle machine: 198 ms wall and 262 ms CPU on two
    threads, 164 ms and 163 ms one after the other)."""
    return decode("file1", a), decode("file2", b)


def _side_by_side(
    work: Callable[..., T], first: tuple[Any, ...], second: tuple[Any, ...]
) -> tuple[T, T]:
    """work(*first) here and work(*second) on a helper thread. The FFTs release the GIL, so
    two cores nearly halve the wait. The pool lives for one call: a pool
    kept at module level would be inherited, without its threads, by forked Celery workers.
    Progress is reported only from the calling thread (it may write to the database)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="audio") as pool:
        later = pool.submit(work, *second)
        return work(*first), later.result()


def decode(label: str, path: Path) -> Decoded:
    """Probe, then decode, the file the user knows as `label` (its errors say which file)."""
    try:
        info = probe_audio(path)
        samples = decode_mono(path)
        _check_complete(info, len(samples) / RATE)
    except UnreadableFile as error:
        raise UnreadableFile(f"{label}: {error.detail}") from error
    return Decoded(info=info, samples=samples)


def _check_complete(info: AudioInfo, decoded_s: float) -> None:
    """Catch what the probe's tail check cannot: data that stops decoding before the header's
    end (the decoder skips what it cannot read)."""
    if decoded_s < info.duration_s * TRUNCATED_RATIO - TRUNCATED_SLACK_S:
        raise UnreadableFile(
            f"This audio file decodes to {decoded_s:.1f} s although its header says "
            f"{info.duration_s:.1f} s: it looks truncated or damaged. Upload the complete file."
        )


def frame_features(a: Samples, b: Samples) -> tuple[Features, Features]:
    """MFCC frames of both, `b` first moved by under a frame to line up with `a`."""
    return features(*frame_spectra(a, b))


def frame_spectra(a: Samples, b: Samples) -> tuple[Spectrum, Spectrum]:
    """The mel spectra of both, `b` first moved by under a frame to line up with `a`."""
    shift = sub_frame_shift(a, b)
    return _side_by_side(spectrum, (a, 0.0), (b[shift:], shift / RATE))


def align(a: Features, b: Features) -> Aligned:
    windowed = diagonal_similarity(a, b)
    path = warp_path(windowed)
    on_path = windowed[path[:, 0], path[:, 1]]
    return Aligned(a=a, b=b, path=path, windowed=on_path, match=match(a, b, path, on_path))


def evidence(
    first: Decoded,
    second: Decoded,
    aligned: Aligned,
    spectra: tuple[Spectrum, Spectrum] | None = None,
) -> Result:
    """The score, the metrics, the segments, the unmatched stretches and diff.png."""
    unmatched = _unmatched(aligned)
    png = _diff_png(first, second, aligned, unmatched)
    changes = _changes(aligned, spectra, unmatched)
    return Result(
        similarity=aligned.match.similarity(),
        metrics=_metrics(first, second, aligned),
        segments=[segment.as_dict() for segment in aligned.match.segments],
        changes=changes,
        artifacts=[Artifact(name=DIFF_IMAGE, content_type="image/png", data=png)],
        identical=not changes,  # what matches cleanly (codec noise) is no change
        summary=summaries.times(changes),
    )


def _metrics(first: Decoded, second: Decoded, aligned: Aligned) -> dict[str, Any]:
    outcome = aligned.match
    return {
        "mfcc_similarity": _mfcc_similarity(aligned),
        "aligned_similarity": _aligned_similarity(aligned),
        "matched_ratio": round(outcome.matched_ratio(), 4),
        "offset_s": outcome.offset_s(),
        "duration_a": first.info.duration_s,
        "duration_b": second.info.duration_s,
        "sample_rate_a": first.info.sample_rate,
        "sample_rate_b": second.info.sample_rate,
        "channels_a": first.info.channels,
        "channels_b": second.info.channels,
        "codec_a": first.info.codec,
        "codec_b": second.info.codec,
        "format_a": first.info.format,
        "format_b": second.info.format,
        "sound_s_a": round(float(outcome.sound_a.sum()) * FRAME_S, 2),
        "sound_s_b": round(float(outcome.sound_b.sum()) * FRAME_S, 2),
        "timeline": timeline(
            outcome.score_a, outcome.sound_a, aligned.a.start_s, first.info.duration_s
        ),
    }


def _sound_steps(aligned: Aligned) -> Bools:
    return ~aligned.a.silent[aligned.path[:, 0]] & ~aligned.b.silent[aligned.path[:, 1]]


def _mfcc_similarity(aligned: Aligned) -> float:
    """Mean cosine (0..1) of the MFCC frames the alignment paired, where both hold sound."""
    cosines = frame_cosines(aligned.a, aligned.b, aligned.path)
    both = _sound_steps(aligned)
    return round(max(0.0, float(cosines[both].mean())), 4) if both.any() else 0.0


def _aligned_similarity(aligned: Aligned) -> float:
    """The same, averaged over a second along the alignment (what decides a match)."""
    both = _sound_steps(aligned)
    return round(max(0.0, float(aligned.windowed[both].mean())), 4) if both.any() else 0.0


def _changes(
    aligned: Aligned, spectra: tuple[Spectrum, Spectrum] | None, unmatched: Unmatched
) -> list[Change]:
    """The stretches that differ, in the one change shape (see audio.differences)."""
    segments = aligned.match.segments
    gaps = None
    if spectra is not None:
        sound = _sound_steps(aligned)
        gaps = differences.level_gaps(segments, aligned.path, sound, *spectra)
    return differences.find(
        segments,
        [r for label, r in unmatched if label == "file1"],
        [r for label, r in unmatched if label == "file2"],
        gaps,
    )


def _unmatched(aligned: Aligned) -> Unmatched:
    outcome = aligned.match
    ranges_a = unmatched_ranges(outcome.score_a, aligned.a)
    ranges_b = unmatched_ranges(outcome.score_b, aligned.b)
    return [("file1", r) for r in ranges_a] + [("file2", r) for r in ranges_b]


def _diff_png(first: Decoded, second: Decoded, aligned: Aligned, unmatched: Unmatched) -> bytes:
    outcome = aligned.match
    offset = outcome.offset_s() or 0.0
    lanes = [
        render.Lane(
            samples=decoded.samples,
            label=label,
            shift_s=shift,
            matched=[s.source if label == "file1" else s.target for s in outcome.segments],
            unmatched=[r for owner, r in unmatched if owner == label],
        )
        for label, decoded, shift in (("file1", first, 0.0), ("file2", second, offset))
    ]
    title = (
        f"similarity {outcome.similarity():.1f}   file2 offset {offset:+.2f} s   "
        "green: heard in both   red: only in this file"
    )
    return render.render_diff(lanes[0], lanes[1], title)


def warm_up() -> None:
    """Run the alignment and the drawing once on two seconds of a synthetic glide."""
    seconds = np.arange(2 * RATE, dtype=np.float32) / RATE
    glide = (0.3 * np.sin(2 * np.pi * (200 + 100 * seconds) * seconds)).astype(np.float32)
    aligned = align(*frame_features(glide, glide[160:]))
    lane = render.Lane(samples=glide, label="warm-up", shift_s=0.0, matched=[], unmatched=[])
    render.render_diff(lane, lane, f"warm-up {aligned.match.similarity():.0f}")
