"""How the video engine turns decoded frames into the small grayscale frames it compares, and how
it scores them: the fast path that reads the decoder's luma plane must agree with swscale's area
average (the reference it replaced), in every range; scoring on threads must give exactly what
one thread gives."""

from __future__ import annotations

import av
import cv2
import numpy as np
import pytest
from av.video.reformatter import VideoReformatter
from skimage import data as skdata

from comparisons.engines.video import align
from comparisons.engines.video.decode import Samples, Shrinker

SIZE = (160, 90)


def photo_frame(pix_fmt: str) -> av.VideoFrame:
    """A 1920x1080 frame of a real photograph, in `pix_fmt`."""
    photo = cv2.resize(skdata.astronaut(), (1920, 1080), interpolation=cv2.INTER_CUBIC)
    return av.VideoFrame.from_ndarray(photo, format="rgb24").reformat(format=pix_fmt)


def swscale_area(frame: av.VideoFrame) -> np.ndarray:
    small = VideoReformatter().reformat(frame, *SIZE, "gray", interpolation="AREA")
    array: np.ndarray = small.to_ndarray()
    return array


@pytest.mark.parametrize(
    "pix_fmt", ["yuv420p", "yuvj420p", "nv12", "yuv422p", "yuv444p", "yuv420p10le", "rgb24"]
)
def test_a_frame_shrinks_to_what_swscales_area_average_gives(pix_fmt: str) -> None:
    frame = photo_frame(pix_fmt)

    small = Shrinker(SIZE)(frame)

    assert small.shape == (SIZE[1], SIZE[0]) and small.dtype == np.uint8
    difference = np.abs(small.astype(int) - swscale_area(frame))
    assert difference.mean() < 0.6  # measured 0.35 on 1080p H.264 frames
    assert difference.max() <= 8


def luma_frame(levels: tuple[int, int], color_range: int) -> av.VideoFrame:
    """A 4:2:0 frame whose left half has luma levels[0] and right half levels[1], grey chroma."""
    height, width = 360, 640
    planes = np.full((height * 3 // 2, width), 128, dtype=np.uint8)
    planes[:height, : width // 2], planes[:height, width // 2 :] = levels
    frame = av.VideoFrame.from_ndarray(planes, format="yuv420p")
    frame.color_range = color_range
    return frame


def test_limited_range_black_and_white_become_0_and_255() -> None:
    small = Shrinker(SIZE)(luma_frame((16, 235), color_range=1))  # MPEG (limited) range

    assert small[:, :70].max() == 0 and small[:, 90:].min() == 255


def test_full_range_levels_are_kept_as_they_are() -> None:
    small = Shrinker(SIZE)(luma_frame((40, 200), color_range=2))  # JPEG (full) range

    assert small[:, :70].max() == 40 and small[:, 90:].min() == 200


def test_scoring_on_threads_gives_exactly_what_one_thread_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(7)
    photo = cv2.cvtColor(skdata.astronaut(), cv2.COLOR_RGB2GRAY)
    base = cv2.resize(photo, SIZE, interpolation=cv2.INTER_AREA)
    count = 5 * align.CHUNK_PAIRS + 3  # chunks for both threads and a short last one
    frames = np.stack([np.roll(base, shift, axis=1) for shift in range(count)])
    noisy = np.clip(frames + rng.normal(0, 6, frames.shape), 0, 255).astype(np.uint8)
    times = np.arange(count) / 30.0
    a = Samples(times, frames, 0.0, 30.0, 1920, 1080, "h264")
    b = Samples(times, noisy, 0.0, 30.0, 1920, 1080, "h264")

    threaded = align.score_pairs(a, b, 0.0)
    monkeypatch.setattr(align, "SCORE_THREADS", 1)
    alone = align.score_pairs(a, b, 0.0)

    assert len(threaded.ssim) == count
    assert np.array_equal(threaded.ssim, alone.ssim) and np.array_equal(threaded.mse, alone.mse)
    assert 0.3 < threaded.ssim.min() < threaded.ssim.max() < 1.0  # real scores, not a default
