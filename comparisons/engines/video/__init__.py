"""The video engine: MP4/MOV/MKV/AVI in any codec PyAV decodes (H.264, HEVC, VP9, MPEG-4, ...).

Both files are decoded at once, each in its own thread with the decoder's own threads, keeping
what is decoded (up to 20-30 frames a second) as small grayscale images only. The copies are
aligned in time by cross-correlating frame signatures, then every aligned pair of frames is scored
with SSIM and PSNR. The answer says how
similar the files are overall, second by second (`metrics.timeline`), which ranges match
(`segments`) and which differ (`changes`), with a strip of the most different frame pairs.
"""

from __future__ import annotations

import io
import math
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from comparisons.engines import heap, spec_of, summaries
from comparisons.engines.base import (
    DIFF_IMAGE,
    Artifact,
    MediaInfo,
    Options,
    Progress,
    Result,
)
from comparisons.engines.changes import Change
from comparisons.engines.video import segments as seg
from comparisons.engines.video.align import Pairs, find_offset, score_pairs
from comparisons.engines.video.decode import (
    DecodeStopped,
    Sampler,
    Samples,
    Source,
    frame_size,
    probe,
)
from comparisons.engines.video.diff import Row, strip_png, worst_rows

SAMPLE_LONG_SIDE = 160  # px: frames are compared at this size (shrunk as they are decoded)
DECODE_SHARE = 92.0  # progress percent reached when both files are decoded
POLL_S = 0.25  # seconds between progress reports while decoding
# Overlaps covering at least this share of the longer file are not penalised (a trimmed intro is
# still the same video); shorter overlaps scale the score down in proportion.
FULL_COVERAGE = 0.75


class VideoEngine:
    media_type = "video"
    runs_async = spec_of(media_type).runs_async  # its facts live in the registry's line

    def __init__(self, poll_s: float = POLL_S) -> None:
        self.poll_s = poll_s  # how often progress is reported while decoding

    def probe(self, path: Path) -> MediaInfo:
        return probe(path)

    def compare(self, a: Path, b: Path, options: Options, progress: Progress) -> Result:
        heap.for_frames()
        progress(0.0)
        size = sample_size(*frame_size(a, "file1"))  # file1 sets the size both are sampled at
        progress(1.0)
        samples_a, samples_b = decode_both(a, b, size, progress, self.poll_s)
        result = build_result(samples_a, samples_b)
        progress(100.0)
        return result

    def warm_up(self) -> None:
        """Load the codec libraries and run the whole path once on a tiny in-memory clip."""
        clip = tiny_clip()
        samples = Sampler(io.BytesIO(clip), "warm-up clip", (32, 24)).run()
        build_result(samples, samples)


def sample_size(width: int, height: int) -> tuple[int, int]:
    """file1's aspect ratio with the long side SAMPLE_LONG_SIDE (even sizes, for swscale)."""
    if width <= 0 or height <= 0:
        return SAMPLE_LONG_SIDE, SAMPLE_LONG_SIDE * 9 // 16
    scale = SAMPLE_LONG_SIDE / max(width, height)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def decode_both(
    a: Source, b: Source, size: tuple[int, int], progress: Progress, poll_s: float = POLL_S
) -> tuple[Samples, Samples]:
    """Decode both files concurrently; report progress from this (the caller's) thread only,
    since the callback may touch a database connection that belongs to it."""
    samplers = (Sampler(a, "file1", size), Sampler(b, "file2", size))
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="video-decode") as pool:
        futures = [pool.submit(sampler.run) for sampler in samplers]
        try:
            _wait_reporting(futures, samplers, progress, poll_s)
        finally:
            # One file failed, or the job is being stopped (a time limit): the other decoder
            # must not keep the worker busy until it reaches the end of its file.
            for sampler in samplers:
                sampler.stop.set()
        _raise_first_failure(futures)
        first, second = futures[0].result(), futures[1].result()
    progress(DECODE_SHARE)
    return first, second


def _wait_reporting(
    futures: list[Future[Samples]],
    samplers: tuple[Sampler, Sampler],
    progress: Progress,
    poll_s: float,
) -> None:
    """Wait until both decoders finish or one fails, reporting their progress as they go."""
    reported = 1.0
    while True:
        done, pending = wait(futures, timeout=poll_s, return_when=FIRST_EXCEPTION)
        if not pending or any(future.exception() for future in done):
            return
        share = (samplers[0].fraction + samplers[1].fraction) / 2
        value = round(1.0 + (DECODE_SHARE - 1.0) * share, 1)
        if value > reported:
            progress(value)
            reported = value


def _raise_first_failure(futures: list[Future[Samples]]) -> None:
    """The error of the file that failed, not the "stopped" of the one we then stopped."""
    wait(futures)
    errors = [future.exception() for future in futures]
    failures = [error for error in errors if error and not isinstance(error, DecodeStopped)]
    if failures:
        raise failures[0]


def build_result(a: Samples, b: Samples) -> Result:
    offset, agreement = find_offset(a, b)
    pairs = score_pairs(a, b, offset)
    scores = seg.pair_scores(pairs.ssim)
    times = a.times[pairs.a]
    length_a, length_b = _length(a), _length(b)
    step = _step(a)
    overlap_end = min(length_a, length_b - offset)  # in file1's time
    spans = seg.spans(seg.runs(scores, times), times, scores, step, offset, overlap_end)
    coverage = seg.overlap_seconds(length_a, length_b, offset) / max(length_a, length_b)
    aligned = float(scores.mean()) if len(scores) else 0.0
    similarity = aligned * min(1.0, coverage / FULL_COVERAGE)
    metrics = {
        **_frame_metrics(pairs),
        # As the audio engine reports it: file2's time = file1's + offset_s.
        "offset_s": round(offset, 2) + 0.0,  # + 0.0 turns -0.0 into 0.0
        "alignment_correlation": round(agreement, 3),
        "aligned_similarity": round(aligned, 1),
        "coverage": round(coverage, 3),
        "timeline": seg.timeline(times, scores, math.ceil(length_a - 1e-6)),
        **_file_metrics(a, "a", length_a),
        **_file_metrics(b, "b", length_b),
    }
    changes = _in_time_order(
        [seg.differing(span) for span, matched in spans if not matched or seg.degraded(span)]
        + seg.unpaired(length_a, length_b, offset)
        + seg.shifted(length_a, length_b, offset),
        offset,
    )
    return Result(
        similarity=similarity,
        metrics=metrics,
        segments=[span.as_dict() for span, matched in spans if matched],
        changes=changes,
        artifacts=[_diff_artifact(a, b, pairs, scores)] if len(scores) else [],
        identical=not changes,  # frames that still match (codec noise) are no change
        summary=summaries.times(changes),
    )


def _in_time_order(changes: list[Change], offset: float) -> list[Change]:
    """By the moment of file1 each change is at (file2's own spans moved back by the offset)."""

    def moment(change: Change) -> float:
        where = change["time"]
        start = where["source_start"]
        return float(start) if start is not None else float(where["target_start"]) - offset

    return sorted(changes, key=moment)


def _length(samples: Samples) -> float:
    """The file's length: what the container declares, else the last frame plus one frame."""
    last = float(samples.times[-1]) + 1.0 / (samples.fps or 25.0)
    return samples.duration if samples.duration > 0 else last


def _step(samples: Samples) -> float:
    return float(np.median(np.diff(samples.times))) if len(samples.times) > 1 else 0.1


def _frame_metrics(pairs: Pairs) -> dict[str, Any]:
    if not len(pairs.ssim):
        return {"ssim": 0.0, "psnr": 0.0, "frames_compared": 0}
    mse = float(pairs.mse.mean())
    psnr = 100.0 if mse == 0 else min(100.0, 10 * math.log10(255.0**2 / mse))
    return {
        "ssim": round(float(pairs.ssim.mean()), 4),
        "ssim_min": round(float(pairs.ssim.min()), 4),
        "psnr": round(psnr, 2),  # dB over all pairs, capped at 100 for identical frames
        "frames_compared": len(pairs.ssim),
    }


def _file_metrics(samples: Samples, side: str, length: float) -> dict[str, Any]:
    return {
        f"duration_{side}": round(length, 3),
        f"fps_{side}": round(samples.fps, 3),
        f"width_{side}": samples.width,
        f"height_{side}": samples.height,
        f"codec_{side}": samples.codec,
    }


def _diff_artifact(a: Samples, b: Samples, pairs: Pairs, scores: np.ndarray) -> Artifact:
    times = a.times[pairs.a]
    rows = [
        Row(
            frame_a=a.frames[pairs.a[i]],
            frame_b=b.frames[pairs.b[i]],
            time_a=float(times[i]),
            time_b=float(b.times[pairs.b[i]]),
            score=float(scores[i]),
        )
        for i in worst_rows(times, scores)
    ]
    return Artifact(name=DIFF_IMAGE, content_type="image/png", data=strip_png(rows))


def tiny_clip() -> bytes:
    """A 1-second 64x48 MPEG-4 clip made in memory (for the warm-up)."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=Fraction(10))
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(10):
            image = np.full((48, 64, 3), 20 * index, dtype=np.uint8)
            image[10:30, 5 + 3 * index : 25 + 3 * index] = 255
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


engine = VideoEngine()
