"""Test videos made with PyAV from the real photographs that ship inside scikit-image.

A `Storyboard` is a list of shots; each shot shows one photo with a slow pan and zoom, so there is
real motion for the codecs to chew on and for the engine to align. `write_video` renders any time
range of a storyboard at any size, frame rate, codec and container, which gives the variants the
tests and the benchmark need: re-encoded, resized, other frame rates, trimmed or offset copies, and
copies with some seconds replaced by other content.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
from skimage import data as skdata

# Photos bundled in the scikit-image wheel (no download needed).
PHOTOS = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "retina",
    "immunohistochemistry",
    "camera",
    "coins",
    "moon",
)


@cache
def photo(name: str) -> np.ndarray:
    """The named photo as an RGB uint8 array."""
    image = getattr(skdata, name)()
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return np.ascontiguousarray(image[..., :3].astype(np.uint8))


@dataclass(frozen=True)
class Shot:
    """`seconds` of one photo. The view swings across the photo (`pan`: cycles per second in x and
    y, as a sine over the free margin) and zooms in by `zoom` (relative per second) from a view that
    covers `cover` of the photo. `phase` is where in its motion the shot starts (for cut copies)."""

    photo: str
    seconds: float
    pan: tuple[float, float] = (0.05, 0.03)
    zoom: float = 0.04
    cover: float = 0.8
    phase: float = 0.0


@dataclass(frozen=True)
class Storyboard:
    shots: tuple[Shot, ...]

    @property
    def duration(self) -> float:
        return sum(shot.seconds for shot in self.shots)

    def shot_at(self, t: float) -> tuple[Shot, float]:
        """The shot on screen at time t and the time since it started."""
        start = 0.0
        for shot in self.shots:
            if t < start + shot.seconds:
                return shot, t - start
            start += shot.seconds
        last = self.shots[-1]
        return last, last.seconds

    def replaced(self, start: float, end: float, photo_name: str) -> Storyboard:
        """The same storyboard with [start, end) showing another photo instead."""
        before = self.cut(0.0, start).shots
        after = self.cut(end, self.duration).shots
        return Storyboard((*before, Shot(photo_name, end - start, pan=(-0.04, 0.03)), *after))

    def cut(self, start: float, end: float) -> Storyboard:
        """The part of the storyboard between start and end (shots keep their motion phase)."""
        shots: list[Shot] = []
        t = 0.0
        for shot in self.shots:
            lo, hi = max(start, t), min(end, t + shot.seconds)
            if hi > lo:
                shots.append(replace(shot, seconds=hi - lo, phase=shot.phase + lo - t))
            t += shot.seconds
        return Storyboard(tuple(shots))

    def then(self, other: Storyboard) -> Storyboard:
        return Storyboard(self.shots + other.shots)


def render(board: Storyboard, t: float, width: int, height: int) -> np.ndarray:
    """The RGB frame of the storyboard at time t, rendered at width x height."""
    shot, local = board.shot_at(t)
    local += shot.phase
    image = photo(shot.photo)
    ph, pw = image.shape[:2]
    # The view keeps the output's aspect ratio and covers `cover` of the photo's limiting side.
    view_w = min(pw, ph * width / height) * shot.cover / (1.0 + shot.zoom * local)
    view_h = view_w * height / width
    cx = pw / 2 + (pw - view_w) / 2 * math.sin(2 * math.pi * shot.pan[0] * local)
    cy = ph / 2 + (ph - view_h) / 2 * math.sin(2 * math.pi * shot.pan[1] * local)
    scale = width / view_w
    matrix = np.array(
        [[scale, 0, width / 2 - cx * scale], [0, scale, height / 2 - cy * scale]], dtype=np.float64
    )
    return cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR)


# Codec settings per encoder: fast enough for tests, typical of real files otherwise.
ENCODER_OPTIONS: dict[str, dict[str, str]] = {
    "libx264": {"preset": "veryfast", "crf": "23"},
    "libx265": {"preset": "ultrafast", "crf": "30", "x265-params": "log-level=error"},
    "libvpx-vp9": {"deadline": "realtime", "cpu-used": "8", "crf": "36", "b": "0"},
    "mpeg4": {"qscale": "6"},
}


def write_video(
    path: Path,
    board: Storyboard,
    *,
    width: int = 320,
    height: int = 240,
    fps: int = 30,
    codec: str = "libx264",
    options: dict[str, str] | None = None,
    start: float = 0.0,
    end: float | None = None,
    container_options: dict[str, str] | None = None,
    bit_rate: int | None = None,
) -> Path:
    """Encode [start, end) of the storyboard into `path` (container chosen by its suffix).
    `bit_rate` (bit/s) is for encoders without a quality option: mpeg4 ignores `qscale` in
    `options` and writes ~120 kbit/s at 320x240 unless told a rate."""
    end = board.duration if end is None else end
    with av.open(str(path), "w", options=container_options or {}) as container:
        stream = container.add_stream(codec, rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if bit_rate is not None:
            stream.bit_rate = bit_rate
        stream.options = {**ENCODER_OPTIONS.get(codec, {}), **(options or {})}
        for frame in _frames(board, start, end, width, height, fps):
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _frames(
    board: Storyboard, start: float, end: float, width: int, height: int, fps: int
) -> Iterator[av.VideoFrame]:
    count = round((end - start) * fps)
    for index in range(count):
        rgb = render(board, start + index / fps, width, height)
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame.pts = index
        yield frame


def write_audio_only(path: Path, seconds: float = 2.0, rate: int = 44100) -> Path:
    """A file with one AAC audio stream and no video (an A major chord)."""
    t = np.arange(int(seconds * rate)) / rate
    wave = sum(np.sin(2 * np.pi * f * t) for f in (440.0, 554.4, 659.3)) / 4
    samples = wave.astype(np.float32)[None, :]
    with av.open(str(path), "w") as container:
        stream: Any = container.add_stream("aac", rate=rate)
        stream.layout = "mono"
        for i in range(0, samples.shape[1], 1024):
            frame = av.AudioFrame.from_ndarray(
                samples[:, i : i + 1024], format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = rate, i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def default_board(seconds: float = 8.0, photos: tuple[str, ...] = PHOTOS[:4]) -> Storyboard:
    """Shots of about 2-3 s cycling through `photos`, with varied motion."""
    shots: list[Shot] = []
    t, index = 0.0, 0
    while t < seconds - 1e-9:
        length = min(2.5 if index % 2 == 0 else 2.0, seconds - t)
        name = photos[index % len(photos)]
        pan = (0.05 * (1 if index % 2 else -1), 0.03)
        shots.append(Shot(name, length, pan=pan, zoom=0.04 + 0.01 * (index % 3)))
        t += length
        index += 1
    return Storyboard(tuple(shots))
