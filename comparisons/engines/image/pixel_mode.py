"""Pixel mode: the two pictures as frames, compared where they are.

file2 is brought to file1's pixel grid (sizes.py), the regions to ignore are made equal in both,
then the per-pixel colour difference (pixels.py) finds what changed, at full resolution, and SSIM,
MSE, PSNR and the perceptual hash measure the whole at the working size. score.py turns them into
the similarity.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    b_as_a, a_as_b = pixels.matched_tones(a, b)
    toned_b = pixels.over_threshold_share(a, b_as_a)
    toned_a = pixels.over_threshold_share(a_as_b, b)
    # a change of opacity is not a tone: matching the composites could explain it away
    return float(min(share, max(min(toned_a, toned_b), pixels.alpha_share(a, b))))


@dataclass(frozen=True)
class Grid:
    """Both pictures on file1's pixel grid, with the ignored pixels made equal."""

    size: sizes.Size
    a: Decoded
    b: Decoded
    ignored: Mask | None
    counted: int  # pixels that can differ (the ignored ones cannot)

    @property
    def area(self) -> int:
        return self.size[0] * self.size[1]


def on_grid(first: Picture, second: Picture, ignore: tuple[Box, ...]) -> Grid:
    size = sizes.grid_size(first.size, second.size)
    a, b = at_size(first.pixels, size), at_size(second.pixels, size)
    ignored = regions.ignore_mask(ignore, size, scale_between(first.size, size)) if ignore else None
    if ignored is not None:
        b = _masked(b, a, ignored)
    counted = size[0] * size[1] - (0 if ignored is None else int(ignored.sum()))
    return Grid(size, a, b, ignored, max(1, counted))


@dataclass(frozen=True)
class Whole:
    """The measurements of the whole picture at the working size."""

    working: sizes.Size
    structure: Structure
    mse: float
    phash_distance: int
    base: U8  # file1's luminance on the grid, for the diff image


def measure_whole(grid: Grid, working: sizes.Size) -> Whole:
    full_a = gray(grid.a.on_white)
    image_a = sizes.resize_to(full_a, working)
    image_b = sizes.resize_to(gray(grid.b.on_white), working)
    gray_a, gray_b = f32(image_a), f32(image_b)
    distance = metrics.hamming(metrics.phash(gray_a), metrics.phash(gray_b))
    return Whole(
        working, Structure(gray_a, gray_b), metrics.mse(image_a, image_b), distance, full_a
    )


def pixel_evidence(first: Picture, second: Picture, ignore: tuple[Box, ...]) -> Evidence:
    grid = on_grid(first, second, ignore)
    resampled = grid.size != first.size or grid.size != second.size
    diff = pixels.compare(grid.a, grid.b, noisy=first.lossy or second.lossy or resampled)
    share = diff.changed_pixels / grid.counted
    working = sizes.working_size(first.size, second.size)
    sampled = _sampled(grid.a, working), _sampled(grid.b, working)
    # the ignored pixels cannot change: scaled to a share of the pixels that can
    tone_share = min(share, tone_invariant_share(*sampled, share) * grid.area / grid.counted)
    whole = measure_whole(grid, working)
    exact = first.data == second.data or (
        first.size == second.size and diff.moved_pixels == 0 and _same_pixels(grid.a, grid.b)
    )
    # 100 is kept for identical pixels, so a visual-regression gate at 100 catches any change
    similarity = (
        100.0
        if exact
        else min(
            99.9, score.pixel_similarity(whole.structure.best, whole.phash_distance, tone_share)
        )
    )
    # no pixel over the threshold is not enough when the structure or the tones moved across the
    # whole picture (a faint tint, heavy compression): that is found too, if nowhere in particular
    quiet = first.size == second.size and diff.changed_pixels == 0
    identical = exact or (quiet and similarity >= IDENTICAL_FLOOR)
    evidence = _regions_found(
        first, second, grid, diff, whole, similarity, spread=quiet and not identical
    )
    evidence.identical = identical
    evidence.metrics = _metrics(grid, diff, whole, share, tone_share)
    return evidence


def _regions_found(
    first: Picture,
    second: Picture,
    grid: Grid,
    diff: pixels.PixelDiff,
    whole: Whole,
    similarity: float,
    *,
    spread: bool,
) -> Evidence:
    """The changed regions, in file1's and file2's pixels and on the diff image."""
    found = regions.changed_regions(
        diff.changed, diff.distance, join=_join(grid.size), min_pixels=1, limit=10_000
    )
    to_first = scale_between(grid.size, first.size)
    to_second = None if first.size == second.size else scale_between(grid.size, second.size)
    listed = [
        Found(
            region.scaled(to_first),
            None if to_second is None else region.scaled(to_second),
            region.magnitude,
        )
        for region in found
    ]
    area = regions.union_area([region.box for region in found], grid.size)
    if spread:  # one change: the whole frame, as strong as the score says
        listed = [Found((0, 0, *first.size), None, (100 - similarity) / 100)]
        area = grid.area
    display = sizes.display_size(first.size)
    base = (
        whole.base
        if display == grid.size
        else gray(sizes.resize_to(first.pixels.on_white, display))
    )
    boxes = [region.scaled(scale_between(grid.size, display)) for region in found]
    drawing = Drawing(
        base, diff.changed, diff.distance, diff.antialiased, grid.ignored, None, boxes
    )
    return Evidence(
        similarity=similarity,
        identical=False,
        regions=listed,
        region_count=len(listed),
        area_pct=100 * area / grid.area,
        drawing=drawing,
        spread=spread,
        ignoring=grid.ignored is not None and bool(grid.ignored.any()),
    )


def _metrics(
    grid: Grid, diff: pixels.PixelDiff, whole: Whole, share: float, tone_share: float
) -> dict[str, object]:
    ignored = (
        {} if grid.ignored is None else {"ignored_pct": round(100 * float(grid.ignored.mean()), 2)}
    )
    return {
        "ssim": round(whole.structure.ssim, 4),
        "ssim_tone_matched": round(whole.structure.ssim_tones, 4),
        "psnr": round(metrics.psnr(whole.mse), 2),
        "mse": round(whole.mse, 2),
        "phash_distance": whole.phash_distance,
        "changed_pixels": diff.changed_pixels,
        "changed_pct": round(100 * share, 3),
        "changed_pct_tone_matched": round(100 * tone_share, 3),
        "antialiased_pixels": int(np.count_nonzero(diff.antialiased)),
        "noise_pixels": diff.noise_pixels,
        "compared_width": grid.size[0],
        "compared_height": grid.size[1],
        "working_width": whole.working[0],
        "working_height": whole.working[1],
        **ignored,
    }


def _join(grid: sizes.Size) -> tuple[int, int]:
    diagonal = float(np.hypot(*grid))
    return (
        max(MIN_JOIN_PX, round(JOIN_ACROSS * diagonal)),
        max(MIN_JOIN_PX, round(JOIN_DOWN * diagonal)),
    )
