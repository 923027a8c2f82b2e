"""Where two pictures are compared: the sizes each measurement runs at.

- The pixel grid: file1's own size, where the per-pixel colour difference is measured and the diff
  image is drawn, so a 1-pixel change stays 1 pixel. It is capped at `MAX_GRID_SIDE` on the longest
  side (a 50-megapixel photo is compared and drawn at 4096 px), and it is never larger than file2
  (upscaling the smaller picture would only measure the blur of the upscaler).
- The working size: file1's frame at Wang's standard SSIM downsampling, where structure (SSIM),
  tones and the perceptual hash are measured.

file2 is stretched to file1's aspect: pixel mode compares frames; crops and rotations are what
feature mode is for.
"""

from __future__ import annotations

import cv2

from comparisons.engines.image.decode import U8, u8

Size = tuple[int, int]  # width, height

MAX_GRID_SIDE = 4096  # the diff image and the per-pixel comparison, longest side at most
SSIM_TARGET_SIDE = 256  # the standard automatic downsampling: factor round(min(h, w) / 256)
MIN_WORKING_SIDE = 16  # below this an 11x11 window has nothing to slide over
MAX_WORKING_SIDE = 2048  # bounds memory for absurd aspect ratios (e.g. 1x20000)


def grid_size(size_a: Size, size_b: Size) -> Size:
    """file1's size, capped at MAX_GRID_SIDE and shrunk to fit inside file2."""
    width, height = size_a
    shrink = min(1.0, MAX_GRID_SIDE / max(width, height), size_b[0] / width, size_b[1] / height)
    return max(1, round(width * shrink)), max(1, round(height * shrink))


def display_size(size: Size) -> Size:
    """The diff image's size for a file1 of `size`: its own, capped at MAX_GRID_SIDE."""
    width, height = size
    shrink = min(1.0, MAX_GRID_SIDE / max(width, height))
    return max(1, round(width * shrink)), max(1, round(height * shrink))


def working_size(size_a: Size, size_b: Size) -> Size:
    """file1's frame downsampled by round(min(h, w) / 256), and no larger than file2."""
    width_a, height_a = size_a
    factor = max(1, round(min(width_a, height_a) / SSIM_TARGET_SIDE))
    width, height = width_a / factor, height_a / factor
    shrink = min(1.0, size_b[0] / width, size_b[1] / height)
    return (
        _clamp(round(width * shrink), MIN_WORKING_SIDE, MAX_WORKING_SIDE),
        _clamp(round(height * shrink), MIN_WORKING_SIDE, MAX_WORKING_SIDE),
    )


def resize_to(image: U8, size: Size) -> U8:
    if (image.shape[1], image.shape[0]) == size:
        return image
    shrinking = image.shape[1] >= size[0] and image.shape[0] >= size[1]
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return u8(cv2.resize(image, size, interpolation=interpolation))


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
