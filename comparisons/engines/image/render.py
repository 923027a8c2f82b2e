"""The diff image, as visual-regression tools draw it: file1 at its own resolution (capped at
sizes.MAX_GRID_SIDE), lightened to grey, with every changed pixel painted red (deeper red for a
stronger change), pixels tolerated as anti-aliasing in yellow, each changed region outlined in
magenta, ignored regions tinted blue and, in feature mode, the part of file1 that file2 does not
cover darkened.

It is a palette PNG (one byte a pixel, a few dozen colours, ISA-L's deflate): a 1920x1080 diff
encodes in under two milliseconds and weighs about a hundred kilobytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np
import numpy.typing as npt

from comparisons.engines.image.decode import F32, U8, Mask, u8
from comparisons.engines.png import palette_png

Box = tuple[int, int, int, int]

BACKDROP_CONTRAST = 0.4  # file1's grey levels squeezed towards white, so red stands out
GREYS = 8  # levels of the backdrop (base >> 5): enough for context, and 8 compress 4x better
# palette layout: 8 greys, 8 dark greys (not covered), 8 blue-tinted greys (ignored), then
# 4 reds from faint to strong, yellow, magenta
_UNCOVERED, _IGNORED, _RED, _YELLOW, _MAGENTA = 8, 16, 24, 28, 29
RED_STEPS = (0.25, 0.45, 0.7)  # colour distances where the red deepens
REDS = ((255, 150, 150), (250, 90, 90), (230, 30, 30), (180, 0, 0))


@dataclass
class Drawing:
    """What the diff image shows. Masks may be smaller than `base` (a smaller working size):
    they are scaled to it."""

    base: U8  # file1's luminance at the diff image's size
    changed: Mask
    strength: F32 | None = None  # 0..1 per pixel of `changed`, deepens the red
    antialiased: Mask | None = None
    ignored: Mask | None = None
    uncovered: Mask | None = None
    boxes: list[Box] = field(default_factory=list)  # in `base` pixels


def _palette() -> list[int]:
    levels = [i * 255 // (GREYS - 1) for i in range(GREYS)]
    greys = [round(255 - (255 - v) * BACKDROP_CONTRAST) for v in levels]
    colours: list[tuple[int, int, int]] = [(g, g, g) for g in greys]
    colours += [(g // 3, g // 3, g // 3) for g in greys]
    colours += [(round(g * 0.6), round(g * 0.75), 255) for g in greys]
    colours += [*REDS, (255, 210, 0), (255, 0, 255)]
    return [channel for colour in colours for channel in colour]


PALETTE = _palette()


def diff_png(drawing: Drawing) -> bytes:
    height, width = drawing.base.shape
    index = u8(drawing.base >> 5)
    size = (width, height)
    if drawing.uncovered is not None:
        index[_fit(drawing.uncovered, size)] += _UNCOVERED
    if drawing.ignored is not None:
        ignored = _fit(drawing.ignored, size)
        index[ignored] = (index[ignored] % GREYS) + _IGNORED
    flat = index.reshape(-1)  # sparse masks: painting by index beats a full boolean pass
    if drawing.antialiased is not None:
        flat[np.flatnonzero(_fit(drawing.antialiased, size))] = _YELLOW
    changed = np.flatnonzero(_fit(drawing.changed, size))
    flat[changed] = _reds(drawing, size, changed)
    thickness = max(1, round(min(size) / 300))
    for x, y, box_w, box_h in drawing.boxes:
        corner = (x + box_w - 1, y + box_h - 1)
        cv2.rectangle(index, (x, y), corner, _MAGENTA, thickness)
    return _encode(index)


def _fit(mask: Mask, size: tuple[int, int]) -> Mask:
    if (mask.shape[1], mask.shape[0]) == size:
        return mask
    return np.asarray(cv2.resize(u8(mask), size, interpolation=cv2.INTER_NEAREST) > 0)


def _reds(drawing: Drawing, size: tuple[int, int], changed: npt.NDArray[np.intp]) -> U8:
    if drawing.strength is None:
        return np.full(changed.size, _RED + len(RED_STEPS), np.uint8)
    strength = drawing.strength
    if (strength.shape[1], strength.shape[0]) != size:
        strength = np.asarray(cv2.resize(strength, size, interpolation=cv2.INTER_LINEAR))
    values = strength.reshape(-1)[changed]
    reds = np.full(values.size, _RED, np.uint8)
    for step in _RED_STEPS:  # three comparisons: several times faster than a binary search
        reds += values > step
    return reds


_RED_STEPS = np.asarray(RED_STEPS, np.float32)


def _encode(index: U8) -> bytes:
    # ISA-L's deflate (engines/png.py): long runs of one grey or one red are all there is to
    # find, and it finds them at memory speed (1.4 ms for 1920x1080; zlib's RLE took 6 ms)
    return palette_png(index, PALETTE)
