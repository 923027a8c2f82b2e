"""Pixel mode: the two pictures as frames, compared where they are.

file2 is brought to file1's pixel grid (sizes.py), the regions to ignore are made equal in both,
then the per-pixel colour difference (pixels.py) finds what changed, at full resolution, and SSIM,
MSE, PSNR and the perceptual hash measure the whole at the working size. score.py turns them into
the similarity.
"""

from __future__ import annotations

import cv2
import numpy as np

from comparisons.engines.image import metrics, pixels, regions, score, sizes
from comparisons.engines.image.decode import F32, U8, Decoded, Mask, Picture, f32, u8
from comparisons.engines.image.evidence import Evidence, Found
from comparisons.engines.image.regions import Box
from comparisons.engines.image.render import Drawing

# changed pixels closer than 3% of the diagonal across, or 1.5% down, form one region: the words
# of a line of text join, the lines of a paragraph only when close
JOIN_ACROSS, JOIN_DOWN = 0.015, 0.0075
# `identical` needs no changed pixel and a score in the verdicts' "Identical" band
IDENTICAL_FLOOR = 99.0
MIN_JOIN_PX = 2


def at_size(picture: Decoded, size: sizes.Size) -> Decoded:
    on_black = None if picture.on_black is None else sizes.resize_to(picture.on_black, size)
    return Decoded(sizes.resize_to(picture.on_white, size), on_black)


def _sampled(picture: Decoded, size: sizes.Size) -> Decoded:
    """Every n-th pixel, for shares that only need counting (no averaging: it is 30x faster
    than INTER_AREA on a 1080p picture, and noise it keeps can only raise a share that is
    then taken at its minimum)."""
    if picture.size == size:
        return picture
    on_black = None if picture.on_black is None else _nearest(picture.on_black, size)
    return Decoded(_nearest(picture.on_white, size), on_black)


def _nearest(image: U8, size: sizes.Size) -> U8:
    return u8(cv2.resize(image, size, interpolation=cv2.INTER_NEAREST))


def gray(image: U8) -> U8:
    return u8(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))


def scale_between(source: sizes.Size, target: sizes.Size) -> tuple[float, float]:
    """Pixels of `target` per pixel of `source`."""
    return target[0] / source[0], target[1] / source[1]


def _masked(picture: Decoded, reference: Decoded, ignored: Mask) -> Decoded:
    """`picture` with `reference`'s pixels where ignored: there, nothing can differ."""
    on_white = picture.on_white.copy()
    on_white[ignored] = reference.on_white[ignored]
    on_black = None
    if picture.on_black is not None or reference.on_black is not None:
        on_black = (picture.on_black if picture.on_black is not None else picture.on_white).copy()
        source = reference.on_black if reference.on_black is not None else reference.on_white
        on_black[ignored] = source[ignored]
    return Decoded(on_white, on_black)


def _same_pixels(a: Decoded, b: Decoded) -> bool:
    if not np.array_equal(a.on_white, b.on_white):
        return False
    if a.on_black is None and b.on_black is None:
        return True
    black_a = a.on_white if a.on_black is None else a.on_black
    black_b = b.on_white if b.on_black is None else b.on_black
    return bool(np.array_equal(black_a, black_b))


class Structure:
    """SSIM at the working size: raw, and after matching file2's grey levels to file1's."""

    def __init__(self, gray_a: F32, gray_b: F32, mask: Mask | None = None) -> None:
        reference = metrics.SsimReference(gray_a)
        raw, raw_map = reference.against(gray_b)
        tones, tones_map = reference.against(metrics.match_tones(gray_a, gray_b, mask))
        if mask is not None:
            raw, tones = float(raw_map[mask].mean()), float(tones_map[mask].mean())
        self.ssim, self.ssim_tones = raw, tones
        self.best_map = raw_map if raw >= tones else tones_map

    @property
    def best(self) -> float:
        return max(self.ssim, self.ssim_tones)


def tone_invariant_share(a: Decoded, b: Decoded, share: float) -> float:
    """The changed share once a global tone change is undone, either way round (matching the
    clipped copy to the detailed one cannot restore lost highlights; the other way round
    clips both alike), and never more than the share itself. Measured on the pictures at the
    working size: it only needs to say how much, the full-resolution map says where."""
    if share == 0.0:
        return 0.0
    toned_b = pixels.over_threshold_share(a, pixels.matched_tones(b, a))
    toned_a = pixels.over_threshold_share(pixels.matched_tones(a, b), b)
    # a change of opacity is not a tone: matching the composites could explain it away
    return float(min(share, max(min(toned_a, toned_b), pixels.alpha_share(a, b))))


def pixel_evidence(first: Picture, second: Picture, ignore: tuple[Box, ...]) -> Evidence:
    grid = sizes.grid_size(first.size, second.size)
    a, b = at_size(first.pixels, grid), at_size(second.pixels, grid)
    ignored = regions.ignore_mask(ignore, grid, scale_between(first.size, grid)) if ignore else None
    if ignored is not None:
        b = _masked(b, a, ignored)
    resampled = grid != first.size or grid != second.size
    diff = pixels.compare(a, b, noisy=first.lossy or second.lossy or resampled)
    counted = max(1, grid[0] * grid[1] - (0 if ignored is None else int(ignored.sum())))
    share = diff.changed_pixels / counted
    working = sizes.working_size(first.size, second.size)
    uncounted = grid[0] * grid[1] / counted  # the ignored pixels cannot change: not a share
    tone_share = min(
        share, tone_invariant_share(_sampled(a, working), _sampled(b, working), share) * uncounted
    )
    full_a = gray(a.on_white)
    image_a, image_b = sizes.resize_to(full_a, working), sizes.resize_to(gray(b.on_white), working)
    gray_a, gray_b = f32(image_a), f32(image_b)
    structure = Structure(gray_a, gray_b)
    mse = metrics.mse(image_a, image_b)
    distance = metrics.hamming(metrics.phash(gray_a), metrics.phash(gray_b))
    exact = first.data == second.data or (
        first.size == second.size and diff.moved_pixels == 0 and _same_pixels(a, b)
    )
    # 100 is kept for identical pixels, so a visual-regression gate at 100 catches any change
    similarity = (
        100.0 if exact else min(99.9, score.pixel_similarity(structure.best, distance, tone_share))
    )
    same_size = first.size == second.size
    # no pixel over the threshold is not enough when the structure or the tones moved across the
    # whole picture (a faint tint, heavy compression): that is found too, if nowhere in particular
    quiet = same_size and diff.changed_pixels == 0
    identical = exact or (quiet and similarity >= IDENTICAL_FLOOR)
    spread = quiet and not identical
    found = regions.changed_regions(
        diff.changed, diff.distance, join=_join(grid), min_pixels=1, limit=10_000
    )
    display = sizes.display_size(first.size)
    to_first, to_second = scale_between(grid, first.size), scale_between(grid, second.size)
    to_display = scale_between(grid, display)
    listed = [
        Found(
            region.scaled(to_first),
            None if first.size == second.size else region.scaled(to_second),
            region.magnitude,
        )
        for region in found
    ]
    boxes = [region.scaled(to_display) for region in found]
    area = regions.union_area([region.box for region in found], grid)
    if spread:  # one change: the whole frame, as strong as the score says
        listed = [Found((0, 0, *first.size), None, (100 - similarity) / 100)]
        area = grid[0] * grid[1]
    base = full_a if display == grid else gray(sizes.resize_to(first.pixels.on_white, display))
    return Evidence(
        similarity=similarity,
        identical=identical,
        regions=listed,
        region_count=len(listed),
        area_pct=100 * area / (grid[0] * grid[1]),
        spread=spread,
        drawing=Drawing(base, diff.changed, diff.distance, diff.antialiased, ignored, None, boxes),
        metrics={
            "ssim": round(structure.ssim, 4),
            "ssim_tone_matched": round(structure.ssim_tones, 4),
            "psnr": round(metrics.psnr(mse), 2),
            "mse": round(mse, 2),
            "phash_distance": distance,
            "changed_pixels": diff.changed_pixels,
            "changed_pct": round(100 * share, 3),
            "changed_pct_tone_matched": round(100 * tone_share, 3),
            "antialiased_pixels": int(np.count_nonzero(diff.antialiased)),
            "noise_pixels": diff.noise_pixels,
            "compared_width": grid[0],
            "compared_height": grid[1],
            "working_width": working[0],
            "working_height": working[1],
            **({} if ignored is None else {"ignored_pct": round(100 * float(ignored.mean()), 2)}),
        },
        ignoring=ignored is not None and bool(ignored.any()),
    )


def _join(grid: sizes.Size) -> tuple[int, int]:
    diagonal = float(np.hypot(*grid))
    return (
        max(MIN_JOIN_PX, round(JOIN_ACROSS * diagonal)),
        max(MIN_JOIN_PX, round(JOIN_DOWN * diagonal)),
    )
