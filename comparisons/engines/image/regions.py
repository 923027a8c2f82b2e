"""Rectangles on a picture: the regions a user asks us to ignore, and the changed regions we find.

Both are in file1's pixels, as (x, y, width, height). What a valid `ignore_regions` value is, the
API decides (comparisons/ignore_regions.py); the engine receives clean boxes in `Options`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from comparisons.engines.image.decode import F32, Mask

Box = tuple[int, int, int, int]  # x, y, width, height


def ignore_mask(boxes: tuple[Box, ...], size: tuple[int, int], scale: tuple[float, float]) -> Mask:
    """The ignored pixels of a picture of `size` (width, height), given boxes in file1's pixels
    and `scale` = this picture's pixels per file1 pixel. A box covers every pixel it touches."""
    width, height = size
    mask = np.zeros((height, width), bool)
    for x, y, box_w, box_h in boxes:
        left, top = int(np.floor(x * scale[0])), int(np.floor(y * scale[1]))
        right = int(np.ceil((x + box_w) * scale[0]))
        bottom = int(np.ceil((y + box_h) * scale[1]))
        mask[max(0, top) : min(height, bottom), max(0, left) : min(width, right)] = True
    return mask


# --- changed regions: what we report -----------------------------------------------------------


@dataclass(frozen=True)
class Region:
    """One changed area, in the pixels of the map it was found on."""

    box: Box
    changed_pixels: int
    magnitude: float  # how strongly its changed pixels differ, 0..1

    def scaled(self, scale: tuple[float, float]) -> Box:
        """The box in another picture's pixels (`scale` = its pixels per map pixel), covering
        every pixel the region touches."""
        x, y, width, height = self.box
        left, top = int(np.floor(x * scale[0])), int(np.floor(y * scale[1]))
        right, bottom = int(np.ceil((x + width) * scale[0])), int(np.ceil((y + height) * scale[1]))
        return left, top, max(1, right - left), max(1, bottom - top)


def changed_regions(
    changed: Mask, strength: F32, *, join: tuple[int, int], min_pixels: int, limit: int
) -> list[Region]:
    """The changed pixels grouped into regions: pixels less than twice `join` = (across, down)
    apart belong to one region (the words of a line of text, the pieces of one edit); regions
    with fewer than `min_pixels` changed pixels are dropped; the `limit` largest are returned,
    largest first. `strength` (0..1 per pixel) gives each region its magnitude: the mean over
    its changed pixels."""
    mask = changed.view(np.uint8)
    x, y, width, height = cv2.boundingRect(mask)  # one SIMD pass; then only the box is scanned
    if width == 0:
        return []
    # OpenCV's scan is several times faster than np.nonzero
    points = np.asarray(cv2.findNonZero(mask[y : y + height, x : x + width])).reshape(-1, 2)
    columns, rows = points[:, 0].astype(np.intp) + x, points[:, 1].astype(np.intp) + y
    # grouping works in the box around the changed pixels, with room for the joins
    left, top = max(0, x - join[0]), max(0, y - join[1])
    right, bottom = x + width + join[0], y + height + join[1]
    size = (2 * join[0] + 1, 2 * join[1] + 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, size)
    grouped = cv2.dilate(mask[top:bottom, left:right], kernel)
    count, labels = cv2.connectedComponents(grouped, connectivity=8)
    if count > 2:  # more than one region: sort the pixels by region
        label = np.asarray(labels, np.int32)[rows - top, columns - left]
        order = np.argsort(label, kind="stable")
        label, rows, columns = label[order], rows[order], columns[order]
        starts = np.flatnonzero(np.r_[True, label[1:] != label[:-1]])
    else:
        starts = np.zeros(1, np.intp)
    pixels = np.diff(np.r_[starts, rows.size])
    strengths = np.add.reduceat(strength[rows, columns].astype(np.float64), starts) / pixels
    boxes = _boxes(rows, columns, starts)
    chosen = [i for i in np.argsort(-pixels, kind="stable") if pixels[i] >= min_pixels]
    return [Region(boxes[i], int(pixels[i]), float(strengths[i])) for i in chosen[:limit]]


def _boxes(
    rows: npt.NDArray[np.intp], columns: npt.NDArray[np.intp], starts: npt.NDArray[np.intp]
) -> list[Box]:
    """The tight box of each run of pixels (runs begin at `starts`)."""
    top, bottom = np.minimum.reduceat(rows, starts), np.maximum.reduceat(rows, starts)
    left, right = np.minimum.reduceat(columns, starts), np.maximum.reduceat(columns, starts)
    return [
        (int(x), int(y), int(x2 - x + 1), int(y2 - y + 1))
        for x, y, x2, y2 in zip(left, top, right, bottom, strict=True)
    ]


def union_area(boxes: list[Box], size: tuple[int, int]) -> int:
    """Pixels covered by any of the boxes, within a picture of `size`."""
    if not boxes:
        return 0
    width, height = size
    left, top = min(box[0] for box in boxes), min(box[1] for box in boxes)
    right = min(width, max(box[0] + box[2] for box in boxes))
    bottom = min(height, max(box[1] + box[3] for box in boxes))
    covered = np.zeros((max(0, bottom - top), max(0, right - left)), bool)  # the boxes' extent
    for x, y, box_w, box_h in boxes:
        covered[y - top : y - top + box_h, x - left : x - left + box_w] = True
    return int(np.count_nonzero(covered))
