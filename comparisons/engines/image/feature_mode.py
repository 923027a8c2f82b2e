"""Feature mode: the same picture however it was turned, scaled, cropped or relit.

file2 is aligned onto file1 (features.py: keypoints, or the whole content where keypoints are too
few), and the overlap is compared with SSIM, raw and after matching tones. It is never stricter
than pixel mode: when no alignment is found, or pixel mode scores higher, pixel mode's evidence is
the answer. `identical` is pixel mode's in both modes: a turned copy is the same picture, but it
is not unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from comparisons.engines.image import features, metrics, regions, score, sizes
from comparisons.engines.image.decode import F32, U8, Mask, Picture, f32, u8
from comparisons.engines.image.evidence import Evidence, Found
from comparisons.engines.image.features import Alignment, Matrix
from comparisons.engines.image.pixel_mode import (
    Structure,
    gray,
    pixel_evidence,
    scale_between,
)
from comparisons.engines.image.regions import Box
from comparisons.engines.image.render import Drawing

CHANGE_THRESHOLD = 0.5  # local 1 - SSIM above this is a change (re-encoding noise stays < 0.15)
MIN_REGION_SHARE = 0.001  # of the compared overlap: smaller specks are interpolation noise
SSIM_TARGET_SIDE = sizes.SSIM_TARGET_SIDE


def feature_evidence(first: Picture, second: Picture, ignore: tuple[Box, ...]) -> Evidence:
    identity = pixel_evidence(first, second, ignore)
    size_a, size_b = features.feature_size(first.size), features.feature_size(second.size)
    gray_a = sizes.resize_to(gray(first.pixels.on_white), size_a)
    gray_b = sizes.resize_to(gray(second.pixels.on_white), size_b)
    keypoints = features.align(gray_a, gray_b)
    strength = score.keypoint_strength(keypoints.inliers, keypoints.inlier_ratio)
    tried = [(keypoints, strength)] if keypoints.homography is not None else []
    dense = None
    if strength < 1.0:  # too few keypoints agree: align on the whole content too
        dense = features.dense_align(gray_a, gray_b, _scales(first, second, size_a, size_b))
        if dense.homography is not None:
            tried.append((dense, score.dense_strength(dense.correlation)))
    aligned = [
        evidence
        for alignment, trust in tried
        if (evidence := aligned_evidence(first, second, gray_a, gray_b, alignment, trust, ignore))
    ]
    best = max(aligned, key=lambda evidence: evidence.similarity, default=None)
    still = best is not None and bool(best.metrics.pop("near_identity"))
    chosen = best if best is not None and best.similarity > identity.similarity else identity
    if chosen is best and still:
        # file2 sits where it is: pixel mode's full-resolution evidence says more
        identity.similarity = chosen.similarity
        chosen = identity
    chosen.identical = identity.identical
    chosen.metrics = {
        **identity.metrics,
        **(best.metrics if best is not None else {}),
        "keypoints_a": keypoints.keypoints_a,
        "keypoints_b": keypoints.keypoints_b,
        "good_matches": keypoints.good_matches,
        "inliers": keypoints.inliers,
        "inlier_ratio": round(keypoints.inlier_ratio, 3),
        **({} if dense is None else {"dense_correlation": round(dense.correlation, 3)}),
        "alignment": "identity" if chosen is identity else chosen.metrics["alignment"],
    }
    return chosen


def _scales(
    first: Picture, second: Picture, size_a: sizes.Size, size_b: sizes.Size
) -> tuple[float, ...]:
    """file2's feature pixels per file1's under the two usual stories: a crop or a rotation
    at the original resolution, or the whole picture resized to file1's width."""
    same_resolution = (size_a[0] / first.size[0]) / (size_b[0] / second.size[0])
    fitted = size_a[0] / size_b[0]
    if abs(fitted / same_resolution - 1) < 0.03:
        return (same_resolution,)
    return same_resolution, fitted


@dataclass(frozen=True)
class Overlap:
    """file2 warped onto file1 at Wang's SSIM scale: where its picture covers file1 (not the fill
    a rotation left in its corners), and how well."""

    small: sizes.Size
    factor: int  # feature pixels per `small` pixel
    coverage: F32  # 0..1 of each pixel covered by file2
    mask: Mask  # compared: fully covered, not ignored
    ignored: Mask | None
    structure: Structure
    dissim: F32


def overlap_of(
    first: Picture, gray_a: U8, gray_b: U8, homography: Matrix, ignore: tuple[Box, ...]
) -> Overlap | None:
    height, width = gray_a.shape
    picture = features.picture_of(gray_b, homography, (width, height))
    warped, covered = features.warp_into(f32(gray_b), homography, (width, height), picture)
    factor = max(1, round(min(width, height) / SSIM_TARGET_SIDE))
    small = (max(1, round(width / factor)), max(1, round(height / factor)))
    reference = f32(cv2.resize(gray_a, small, interpolation=cv2.INTER_AREA))
    warped = f32(cv2.resize(warped, small, interpolation=cv2.INTER_AREA))
    coverage = f32(cv2.resize(covered, small, interpolation=cv2.INTER_AREA))
    mask = features.inner_mask(coverage)
    ignored = None
    if ignore:
        ignored = regions.ignore_mask(ignore, small, scale_between(first.size, small))
        mask &= ~ignored
    if mask.sum() < 0.02 * mask.size:
        return None  # file2 covers almost nothing of file1: no overlap to compare
    warped = np.where(mask, warped, reference).astype(np.float32)  # outside: no difference
    structure = Structure(reference, warped, mask)
    dissim = f32(metrics.dissimilarity(structure.best_map) * mask)
    return Overlap(small, factor, coverage, mask, ignored, structure, dissim)


def aligned_evidence(
    first: Picture,
    second: Picture,
    gray_a: U8,
    gray_b: U8,
    alignment: Alignment,
    strength: float,
    ignore: tuple[Box, ...],
) -> Evidence | None:
    """file2 warped onto file1 at feature size, then compared at Wang's SSIM scale."""
    homography = alignment.homography
    overlap = None if homography is None else overlap_of(first, gray_a, gray_b, homography, ignore)
    if homography is None or overlap is None:
        return None
    changed = _changed(overlap.dissim)
    minimum = max(4, round(MIN_REGION_SHARE * overlap.mask.sum()))
    found = regions.changed_regions(
        changed, overlap.dissim, join=(2, 2), min_pixels=minimum, limit=10_000
    )
    to_feature_b = np.asarray(np.linalg.inv(homography), np.float64)
    listed = [
        Found(
            region.scaled(scale_between(overlap.small, first.size)),
            _target_box(region.box, overlap.factor, to_feature_b, gray_b.shape, second.size),
            region.magnitude,
        )
        for region in found
    ]
    area = regions.union_area([region.box for region in found], overlap.small)
    display = sizes.display_size(first.size)
    drawing = Drawing(
        gray(sizes.resize_to(first.pixels.on_white, display)),
        changed,
        overlap.dissim,
        None,
        overlap.ignored,
        overlap.coverage < 0.5,
        [region.scaled(scale_between(overlap.small, display)) for region in found],
    )
    return Evidence(
        similarity=min(99.9, score.feature_similarity(strength, overlap.structure.best)),
        identical=False,
        regions=listed,
        region_count=len(found),
        area_pct=100 * area / changed.size,
        drawing=drawing,
        metrics=_metrics(first, second, gray_a, gray_b, homography, overlap, changed)
        | {"alignment": "homography" if alignment.method == "keypoints" else "dense"},
        geometry=_geometry(first, second, gray_a, gray_b, homography, overlap),
        ignoring=overlap.ignored is not None and bool(overlap.ignored.any()),
    )


def _metrics(
    first: Picture,
    second: Picture,
    gray_a: U8,
    gray_b: U8,
    homography: Matrix,
    overlap: Overlap,
    changed: Mask,
) -> dict[str, object]:
    changed_share = float(changed.sum()) / changed.size
    return {
        "aligned_ssim": round(overlap.structure.best, 4),
        "overlap_pct": round(100 * float((overlap.coverage > 0.5).mean()), 1),
        "rotation_deg": round(features.rotation_and_scale(homography)[0], 1),
        "scale": round(_content_scale(first, second, gray_a, gray_b, homography), 3),
        "changed_pixels": round(changed_share * first.size[0] * first.size[1]),
        "changed_pct": round(100 * changed_share, 3),
        "near_identity": first.size == second.size
        and _moves_at_most(homography, gray_a.shape, 1.5),
    }


def _geometry(
    first: Picture,
    second: Picture,
    gray_a: U8,
    gray_b: U8,
    homography: Matrix,
    overlap: Overlap,
) -> str:
    rotation = features.rotation_and_scale(homography)[0]
    scale = _content_scale(first, second, gray_a, gray_b, homography)
    covering = 100 * float((overlap.coverage > 0.5).mean())
    return (
        f"file2 is file1 turned {rotation:.1f}° at {scale:.2f} times its scale, "
        f"covering {covering:.0f}% of it"
    )


def _changed(dissim: F32) -> Mask:
    """Where the aligned structure changed: open drops speckle from interpolation and seams
    along the overlap's edge, close joins the pieces of one change."""
    mask = u8(dissim > CHANGE_THRESHOLD)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    mask = u8(
        cv2.morphologyEx(
            mask, cv2.MORPH_OPEN, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0
        )
    )
    return np.asarray(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel) > 0)


def _content_scale(
    first: Picture, second: Picture, gray_a: U8, gray_b: U8, homography: Matrix
) -> float:
    """file2's content size relative to file1's, undoing both feature-size reductions."""
    feature_scales = gray_a.shape[1] / first.size[0], gray_b.shape[1] / second.size[0]
    scale = features.rotation_and_scale(homography)[1]
    return float(feature_scales[0] / (scale * feature_scales[1]))


def _target_box(
    box: Box,
    factor: int,
    to_feature_b: Matrix,
    shape_b: tuple[int, ...],
    size_b: sizes.Size,
) -> Box:
    """A region's box carried into file2's pixels through the alignment (the box around the
    four corners), clipped to file2."""
    x, y, width, height = box
    corners = (
        np.array(
            [[x, y], [x + width, y], [x, y + height], [x + width, y + height]], np.float64
        ).reshape(-1, 1, 2)
        * factor
    )
    mapped = cv2.perspectiveTransform(corners, to_feature_b).reshape(-1, 2)
    mapped = mapped * np.array([size_b[0] / shape_b[1], size_b[1] / shape_b[0]])
    left, top = np.clip(np.floor(mapped.min(axis=0)), 0, None)
    right = min(float(size_b[0]), float(np.ceil(mapped[:, 0].max())))
    bottom = min(float(size_b[1]), float(np.ceil(mapped[:, 1].max())))
    return int(left), int(top), max(1, int(right - left)), max(1, int(bottom - top))


def _moves_at_most(homography: Matrix, shape: tuple[int, ...], pixels: float) -> bool:
    """Whether the alignment moves no corner of file1's frame by more than `pixels`."""
    height, width = shape[:2]
    corners = np.array([[0, 0], [width, 0], [0, height], [width, height]], np.float64)
    moved = cv2.perspectiveTransform(corners.reshape(-1, 1, 2), homography).reshape(-1, 2)
    return float(np.abs(moved - corners).max()) <= pixels
