"""Reading videos with PyAV: a cheap probe, and a sampler that decodes a file once and keeps only
small grayscale frames (never the decoded video), so memory per job stays bounded.

Speed matters more here than anywhere else in DiffALL: the comparison is as fast as decoding, so
the sampler asks the decoder to do less work than a player would (see `DECODER_OPTIONS`), and the
two files are decoded at once in two threads (PyAV releases the GIL while FFmpeg decodes).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import av
import av.error
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter

from comparisons.engines.base import MediaInfo, UnreadableFile

Source = str | Path | IO[bytes]

# At most this many frames per second are kept, and at most MAX_SAMPLES per file (a memory bound:
# 1200 frames of 160x90 are 17 MB; a 60 s file keeps up to 20 per second). Keeping the decoded
# frames rather than a fixed sampling grid lets two copies be paired frame for frame.
SAMPLE_RATE = 30.0
MAX_SAMPLES = 1200
# What the decoder may skip, measured on 1080p H.264 with x264's defaults (3 B-frames, b-pyramid):
# dropping non-reference frames halves the CPU time and changes no other frame (they are
# referenced by nothing), and skipping the deblocking filter saves another quarter for a drift
# of ~0.5 grey level (PSNR ~49 dB) at our 160-pixel comparison size. Skipping all B-frames
# ("BIDIR") would save more, but x264's P-frames reference its B-pyramid frames, so every later
# frame up to the next keyframe decodes wrong (mean error 2.5 grey levels, up to 13).
SKIP_FRAME = "NONREF"
DECODER_OPTIONS = {"skip_loop_filter": "all"}
# Memory. A decoder holds its reference and reordering frames at full size (an 8192x8192 frame
# is 100 MB), plus one frame in flight per frame-thread. FFmpeg's default thread count (one per
# core, plus one) would make a job's memory grow with the machine, so it is fixed here; and frames
# larger than 1080p at 10 bits are decoded one file at a time, not both at once (`_one_at_a_time`).
# Measured figures are in README.md, "Limits"; submit refuses frames above MAX_VIDEO_PIXELS.
# Speed. Two files decoded at once already keep two cores busy, and frame threads on top of that
# cost more than they give: on 1080p H.264, one thread per file took 10 % less CPU and time than
# two (benchmarks/bench_video.py). A file decoded alone (`_one_at_a_time`) gets two threads.
DECODE_THREADS = 2
LARGE_FRAME_BYTES = 1920 * 1088 * 3
MIN_PIXELS_ALLOWED = 1920 * 1088  # a stream may grow part-way to this size, whatever it declared
_large_decode = threading.Semaphore(1)
MIN_KEPT_RATE = 5.0  # frames per second: below this, skipping frames left too few to align well
# Decode errors tolerated per file before it is called unreadable (a few bad packets are common).
MAX_DECODE_ERRORS = 10
# Image demuxers: FFmpeg opens a PNG as a one-frame "video", but it is not one.
IMAGE_FORMATS = ("image2", "_pipe", "gif", "apng", "webp")
FRIENDLY_FORMATS = {"mov,mp4,m4a,3gp,3g2,mj2": "mp4", "matroska,webm": "mkv"}


@dataclass
class Samples:
    """Small grayscale frames of one file, with their times in seconds from its first frame."""

    times: np.ndarray  # float64, rising
    frames: np.ndarray  # uint8 (n, height, width)
    duration: float  # what the container declares (0 when it does not say)
    fps: float
    width: int
    height: int
    codec: str


@contextmanager
def opened(source: Source, label: str) -> Iterator[Any]:
    """The container, with every FFmpeg or I/O failure turned into UnreadableFile."""
    try:
        container = av.open(source if not isinstance(source, Path) else str(source))
    except (av.error.FFmpegError, OSError, ValueError, UnicodeDecodeError) as error:
        raise UnreadableFile(
            f"{label} could not be opened as a video ({_reason(error)})."
        ) from error
    try:
        yield container
    except (av.error.FFmpegError, OSError, ValueError) as error:
        raise UnreadableFile(f"{label} could not be read ({_reason(error)}).") from error
    finally:
        container.close()


def _reason(error: Exception) -> str:
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return text.rstrip(".")


def video_stream(container: Any, label: str) -> Any:
    """The first real video stream: not cover art, not a still image."""
    format_name = container.format.name
    if any(marker in format_name for marker in IMAGE_FORMATS):
        raise UnreadableFile(f"{label} is a still image ({format_name}), not a video.")
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    raise UnreadableFile(f"{label} has no video stream (is it an audio file?).")


def stream_fps(stream: Any) -> float:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    return float(rate) if rate else 0.0


def declared_duration(container: Any, stream: Any) -> float:
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    if container.duration:
        return float(container.duration / av.time_base)
    return 0.0


def probe(source: Source, label: str = "The file") -> MediaInfo:
    """Container facts plus one decoded frame, to be sure the codec can really be read."""
    with opened(source, label) as container:
        stream = video_stream(container, label)
        codec = stream.codec_context
        frame = _first_frame(container, stream, label)
        if frame is None:
            raise UnreadableFile(f"{label} has a video stream but no frame could be decoded.")
        return MediaInfo(
            media_type="video",
            format=format_name(container.format.name, source),
            duration_s=round(declared_duration(container, stream), 3) or None,
            width=codec.width,
            height=codec.height,
            extra={
                "codec": codec.name,
                "fps": round(stream_fps(stream), 3),
                "frames": stream.frames or None,
                "has_audio": bool(container.streams.audio),
                # what one decoded frame takes in memory per pixel (1.5 for 8-bit 4:2:0, 3 for
                # 10-bit 4:2:0, 6 for 10-bit 4:4:4): the submit check scales its limit by it
                "pix_fmt": frame.format.name,
                "bytes_per_pixel": frame.format.padded_bits_per_pixel / 8,
            },
        )


def frame_size(source: Source, label: str = "The file") -> tuple[int, int]:
    """(width, height) as the stream declares them: the container is opened, no frame decoded
    (half the time of `probe`, which submit has already run on the file)."""
    with opened(source, label) as container:
        codec = video_stream(container, label).codec_context
        return int(codec.width or 0), int(codec.height or 0)


def _first_frame(container: Any, stream: Any, label: str) -> Any:
    """One decoded frame, decoded cheaply: with one thread, and keyframes only, which need no
    reference frames (the first frame of an 8192x8192 H.264 file cost 450 MB in full, 190 MB
    this way). A stream whose decoder marks no frame as a keyframe is tried again in full."""
    codec = stream.codec_context
    codec.thread_count = 1
    codec.skip_frame = "NONKEY"
    frame = _first_keyframe(container, stream, label)
    if frame is None:
        container.seek(0)
        codec.flush_buffers()
        codec.skip_frame = "DEFAULT"
        frame = next(_decoded(container, stream, label), None)
    return frame


def _first_keyframe(container: Any, stream: Any, label: str) -> Any:
    """The first keyframe, drained from the decoder as soon as its packet is in. A decoder that
    reorders frames (H.264 with B-frames) holds a frame back until the frames after it arrive;
    with only keyframes decoded, those come one keyframe later, so the first frame of a 1080p
    x264 file came out after 300 packets (77 ms instead of 23). None when the drain gives
    nothing (the decoder then takes no more input: the caller starts over)."""
    for packet, frames in _by_packet(container, stream, label):
        if frames:
            return frames[0]
        if packet.is_keyframe and packet.size:
            return next(iter(stream.codec_context.decode(None)), None)
    return None


def format_name(names: str, source: Source) -> str:
    """A short container name: FFmpeg's demuxer "mov,mp4,m4a,..." reads MOV and MP4 alike, so
    the file's own suffix says which, when it is one of the demuxer's names."""
    suffix = Path(source).suffix.lstrip(".").lower() if isinstance(source, str | Path) else ""
    if suffix and suffix in names.split(","):
        return suffix
    return FRIENDLY_FORMATS.get(names, names.split(",")[0])


def _decoded(container: Any, stream: Any, label: str) -> Iterator[Any]:
    """Decoded frames, tolerating a few damaged packets (FFmpeg conceals them)."""
    for _, frames in _by_packet(container, stream, label):
        yield from frames


def _by_packet(container: Any, stream: Any, label: str) -> Iterator[tuple[Any, list[Any]]]:
    """Each packet with the frames its decoding gave (none for a damaged one, up to a few)."""
    errors = 0
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.error.InvalidDataError as error:
            errors += 1
            if errors > MAX_DECODE_ERRORS:
                raise UnreadableFile(
                    f"{label} is damaged: {errors} frames failed to decode."
                ) from error
            frames = []
        yield packet, frames


class DecodeStopped(Exception):
    """The sampler was told to stop (the other file failed); its partial work is dropped."""


@dataclass
class Sampler:
    """Decodes one file and keeps `SAMPLE_RATE` small grayscale frames per second."""

    source: Source
    label: str
    size: tuple[int, int]  # (width, height) of the kept frames
    stop: threading.Event = field(default_factory=threading.Event)
    fraction: float = 0.0  # how far decoding is, 0..1; read by the thread reporting progress

    def run(self) -> Samples:
        samples = self._decode(SKIP_FRAME)
        if _too_sparse(samples):
            # Some encoders mark most frames as non-reference: then decode them all after all.
            samples = self._decode("DEFAULT")
        return samples

    def _decode(self, skip_frame: str) -> Samples:
        with opened(self.source, self.label) as container:
            stream = video_stream(container, self.label)
            _configure(stream.codec_context, skip_frame)
            duration = declared_duration(container, stream)
            with _one_at_a_time(stream.codec_context, self.stop):
                times, frames = self._collect(container, stream, duration)
            if self.stop.is_set():
                raise DecodeStopped(self.label)
            if not frames:
                raise UnreadableFile(f"{self.label} has a video stream but no decodable frame.")
            _check_complete(times[-1], duration, stream_fps(stream), self.label)
            codec = stream.codec_context
            self.fraction = 1.0
            order = np.argsort(times, kind="stable")  # damaged timestamps can step backwards
            return Samples(
                times=np.asarray(times, dtype=np.float64)[order],
                frames=np.stack(frames)[order],
                duration=duration,
                fps=stream_fps(stream),
                width=codec.width,
                height=codec.height,
                codec=codec.name,
            )

    def _collect(
        self, container: Any, stream: Any, duration: float
    ) -> tuple[list[float], list[np.ndarray]]:
        times: list[float] = []
        frames: list[np.ndarray] = []
        step = 1.0 / _rate_for(duration)
        interval = 1.0 / (stream_fps(stream) or 25.0)
        clock = _Clock(interval)
        shrink = Shrinker(self.size)
        for frame in _decoded(container, stream, self.label):
            if self.stop.is_set():
                break
            t = clock.time_of(frame)
            if duration:
                self.fraction = min(0.99, t / duration)
            if times and t - times[-1] < step - interval / 2:
                continue  # decoded (later frames need it) but too close to the last one kept
            frames.append(shrink(frame))
            times.append(t)
            if len(frames) >= 2 * MAX_SAMPLES:  # a lying header: halve the rate, keep memory bound
                times, frames, step = times[::2], frames[::2], step * 2
        return times, frames


# 8-bit formats whose first plane is the luma the comparison keeps, read in place (see Shrinker).
_LUMA_FIRST = {
    "yuv420p", "yuv422p", "yuv444p", "yuv440p", "yuv411p", "nv12", "nv21",
    "yuvj420p", "yuvj422p", "yuvj444p", "yuvj440p",
}  # fmt: skip
_FULL_RANGE = 2  # AVCOL_RANGE_JPEG
# Limited-range luma (16-235) stretched to 0-255, as swscale's conversion to "gray" does.
_TO_FULL_RANGE = np.clip(np.round((np.arange(256) - 16) * 255 / 219), 0, 255).astype(np.uint8)
AREA_SAMPLES = 4  # each kept pixel averages at least this many rows and columns of the source


class Shrinker:
    """A decoded frame as a small grayscale array of `size` (width, height), full range.

    Everyday 8-bit YUV frames are shrunk from the decoder's own luma plane, without a copy: every
    few rows and columns of it (a 1080p frame: every third), then OpenCV's area average, at least
    AREA_SAMPLES of those to a kept pixel. On 1080p H.264 that is 0.17 ms a frame against
    swscale's 0.27 ms for its exact area average, a mean difference of 0.35 grey levels; a minute
    of video keeps 1,800 frames, on the two cores that decode. Other formats (10-bit, RGB,
    palettes) go through swscale, with one scaler context for the whole file."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size
        self.reformatter = VideoReformatter()

    def __call__(self, frame: Any) -> np.ndarray:
        width, height = self.size
        if frame.format.name not in _LUMA_FIRST:
            small = self.reformatter.reformat(frame, width, height, "gray", interpolation="AREA")
            array: np.ndarray = small.to_ndarray()
            return array
        plane = frame.planes[0]
        rows = np.frombuffer(plane, np.uint8).reshape(-1, plane.line_size)
        luma = rows[: frame.height, : frame.width]
        step = max(1, min(frame.width // width, frame.height // height) // AREA_SAMPLES)
        picked = luma[step // 2 :: step, step // 2 :: step]
        shrunk: np.ndarray = cv2.resize(picked, (width, height), interpolation=cv2.INTER_AREA)
        full = frame.format.name.startswith("yuvj") or frame.color_range == _FULL_RANGE
        return shrunk if full else cv2.LUT(shrunk, _TO_FULL_RANGE)


@dataclass
class _Clock:
    """Frame times in seconds from the first frame (frames without a timestamp follow the last)."""

    interval: float
    start: float | None = None
    last: float = 0.0

    def time_of(self, frame: Any) -> float:
        raw = frame.time if frame.time is not None else self.last + self.interval
        if self.start is None:
            self.start = raw
        self.last = raw
        return raw - self.start


def _rate_for(duration: float) -> float:
    if duration <= 0:
        return SAMPLE_RATE
    return min(SAMPLE_RATE, MAX_SAMPLES / duration)


def _configure(codec: Any, skip_frame: str) -> None:
    """Give the decoder its threads (one when the other file decodes beside it) and let it skip
    the work a sampled comparison never sees."""
    codec.thread_type = "AUTO"
    codec.thread_count = 1 if _beside_the_other(codec) else DECODE_THREADS
    codec.skip_frame = skip_frame
    codec.options = {**DECODER_OPTIONS, "max_pixels": str(_max_pixels(codec))}


def _max_pixels(codec: Any) -> int:
    """The largest frame the decoder may allocate: the size its header declared (which submit
    checked), with room for alignment, and never less than 1080p. A stream that grows past it
    part-way (a new sequence header) fails to decode instead of taking unchecked memory."""
    width, height = codec.width or 0, codec.height or 0
    return max((width + 64) * (height + 64), MIN_PIXELS_ALLOWED)


def _frame_bytes(codec: Any) -> float:
    """What one decoded frame takes (10-bit 4:2:0 is assumed while the format is unknown)."""
    per_pixel = codec.format.padded_bits_per_pixel / 8 if codec.format else 3.0
    return float((codec.width or 0) * (codec.height or 0) * per_pixel)


def _beside_the_other(codec: Any) -> bool:
    """Whether this file is decoded at the same time as the other one (frames up to 1080p)."""
    return _frame_bytes(codec) <= LARGE_FRAME_BYTES


@contextmanager
def _one_at_a_time(codec: Any, stop: threading.Event) -> Iterator[None]:
    """Large frames: one such decoder per process at a time, so a job holds one file's decoder
    frames, not two (the other file waits; a stop request ends the wait)."""
    if _beside_the_other(codec):
        yield
        return
    while not _large_decode.acquire(timeout=0.1):
        if stop.is_set():
            yield  # _collect sees the stop at once and returns nothing
            return
    try:
        yield
    finally:
        _large_decode.release()


def _too_sparse(samples: Samples) -> bool:
    """Under MIN_KEPT_RATE frames a second (or half the stream's rate, for slideshows), over 2 s."""
    span = float(samples.times[-1] - samples.times[0])
    wanted = min(MIN_KEPT_RATE, samples.fps / 2) if samples.fps else MIN_KEPT_RATE
    return span >= 2.0 and len(samples.times) / span < wanted


def _check_complete(last: float, duration: float, fps: float, label: str) -> None:
    """A file whose frames stop well before its declared end is truncated."""
    if duration <= 0:
        return
    slack = max(1.0, 0.1 * duration, 4.0 / fps if fps else 0.0)
    if last + slack < duration:
        raise UnreadableFile(
            f"{label} looks truncated: its frames stop at {last:.1f} s although it declares "
            f"{duration:.1f} s."
        )
