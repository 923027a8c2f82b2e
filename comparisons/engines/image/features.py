"""Feature mode's geometry: where file2 sits on file1 when it was rotated, scaled or cropped.

Two ways to find it. Keypoints first: ORB corners (rotation invariant, multi-scale, built on
intensity comparisons so relighting moves few of them), Lowe's ratio test and a MAGSAC homography.
Where a picture has too little texture for keypoints - sky, sand, water, fog - the whole content
aligns them instead (dense alignment): a search over rotations with phase correlation for the
translation, refined by OpenCV's ECC (enhanced correlation coefficient) maximisation, and checked by
correlating the band-passed overlap, which two different skies of the same colours do not pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from comparisons.engines.image.decode import F32, U8, Mask, f32
from comparisons.engines.image.metrics import SSIM_WINDOW

Matrix = npt.NDArray[np.float64]

FEATURE_SIDE = 800  # keypoints are found on images at most this large: ORB's pyramid does scale
ORB_FEATURES = 2500
MIN_FEATURE_SIDE = 64  # smaller pictures cannot hold ORB's 31 px patches: pixel mode decides
LOWE_RATIO = 0.8  # for binary descriptors; SIFT's 0.75 is too strict for Hamming distances
RANSAC_PX = 4.0
FILL_LEVEL = 12  # grey levels from pure black or white: a rotation's flat fill, even after JPEG
FILL_OUTSIDE = 0.75  # of a fill's pixels land outside file1 (a rotated copy's wedges: all but
# the sliver the alignment's error puts on file1's edge)
FILL_MARGIN = 3  # feature pixels: how far onto file1 a fill is taken off (the alignment's error)


@dataclass(frozen=True)
class Alignment:
    """How file2 sits on file1, found from keypoints (ORB) or, where keypoints are too few, from
    the pictures' whole content (dense). `homography` maps file2's feature pixels onto file1's."""

    keypoints_a: int
    keypoints_b: int
    good_matches: int
    inliers: int
    homography: Matrix | None
    method: str = "keypoints"  # "keypoints" | "dense"
    correlation: float = 0.0  # dense: band-pass correlation of the aligned overlap, -1..1

    @property
    def inlier_ratio(self) -> float:
        return self.inliers / self.good_matches if self.good_matches else 0.0


def align(gray_a: U8, gray_b: U8) -> Alignment:
    """ORB keypoints (rotation invariant, multi-scale, and built on intensity comparisons, so a
    lighting change moves few of them), Lowe's ratio test, then a MAGSAC homography."""
    if min(*gray_a.shape, *gray_b.shape) < MIN_FEATURE_SIDE:
        return Alignment(0, 0, 0, 0, None)  # ORB's pyramid and 31 px patches need room
    orb = cv2.ORB_create(nfeatures=ORB_FEATURES)  # type: ignore[attr-defined]
    points_a, descriptors_a = orb.detectAndCompute(gray_a, None)
    points_b, descriptors_b = orb.detectAndCompute(gray_b, None)
    if descriptors_a is None or descriptors_b is None or min(len(points_a), len(points_b)) < 2:
        return Alignment(len(points_a), len(points_b), 0, 0, None)
    pairs = cv2.BFMatcher(cv2.NORM_HAMMING).knnMatch(descriptors_a, descriptors_b, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < LOWE_RATIO * p[1].distance]
    if len(good) < 8:
        return Alignment(len(points_a), len(points_b), len(good), 0, None)
    src = f32([points_b[m.trainIdx].pt for m in good])
    dst = f32([points_a[m.queryIdx].pt for m in good])
    fitted, inlier_mask = cv2.findHomography(src, dst, cv2.USAC_MAGSAC, RANSAC_PX)
    inliers = int(inlier_mask.sum()) if inlier_mask is not None else 0
    homography = None if fitted is None else np.asarray(fitted, dtype=np.float64)
    if homography is None or not plausible(homography):
        return Alignment(len(points_a), len(points_b), len(good), inliers, None)
    return Alignment(len(points_a), len(points_b), len(good), inliers, homography)


def plausible(homography: Matrix) -> bool:
    """A fit between two photos of one scene keeps orientation (no mirror), changes scale by
    less than 10x and bends perspective only mildly; a degenerate fit on noise does not."""
    linear = homography[:2, :2]
    determinant = float(np.linalg.det(linear))
    return (
        determinant > 0
        and 0.01 < determinant < 100
        and abs(float(homography[2, 0])) < 0.002
        and abs(float(homography[2, 1])) < 0.002
    )


def rotation_and_scale(homography: Matrix) -> tuple[float, float]:
    """How file2 is turned relative to file1 (degrees, counter-clockwise on screen, as
    `cv2.getRotationMatrix2D` counts) and the scale the homography applies to bring it back."""
    a, b = float(homography[0, 0]), float(homography[1, 0])
    return float(np.degrees(np.arctan2(b, a))), float(np.hypot(a, b))


def warp_into(
    image: F32, homography: Matrix, size: tuple[int, int], picture: F32 | None = None
) -> tuple[F32, F32]:
    """file2 warped into file1's frame, and how much of each file1 pixel its picture covers
    (0..1): all of file2's frame, or `picture` (1 where file2 holds its picture, see picture_of)."""
    warped = cv2.warpPerspective(image, homography, size, flags=cv2.INTER_LINEAR)
    if picture is None:
        picture = np.ones(image.shape[:2], np.float32)
    covered = cv2.warpPerspective(picture, homography, size, flags=cv2.INTER_LINEAR)
    return f32(warped), f32(covered)


def picture_of(gray_b: U8, homography: Matrix, size_a: tuple[int, int]) -> F32 | None:
    """1 where file2 holds its picture, 0 on the fill a rotation left in its corners (None: no
    fill). The fill is flat black or white that touches file2's edge and lands mostly outside
    file1 once aligned. A rotated copy's wedges lie outside file1 but for the last pixel or two
    of the alignment's error, which would read as a change along file1's edge; only those last
    pixels are taken off, with the wedge's edge (the rotation blended it with the picture, JPEG
    rings around it). Flat black or white further into file1 - a white background joined to
    the fill - is picture, and its changes count."""
    flats = [gray_b <= FILL_LEVEL, gray_b >= 255 - FILL_LEVEL]
    flats = [flat for flat in flats if _rim(flat).any()]
    if not flats:
        return None
    size_b = (gray_b.shape[1], gray_b.shape[0])
    frame_a = np.ones((size_a[1], size_a[0]), np.uint8)
    flags = cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP  # each file2 pixel looks up file1's frame
    landing = cv2.warpPerspective(frame_a, homography, size_b, flags=flags) > 0
    fill = np.zeros(gray_b.shape, bool)
    for flat in flats:
        fill |= _edge_runs_outside(flat, landing)
    margin = np.ones((2 * FILL_MARGIN + 1, 2 * FILL_MARGIN + 1), np.uint8)
    fill &= cv2.erode(landing.view(np.uint8), margin) == 0  # outside, or on file1's edge
    if not fill.any():
        return None
    fill = cv2.dilate(fill.view(np.uint8), np.ones((3, 3), np.uint8)) > 0
    return f32(~fill)


def _rim(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The values along a picture's four edges."""
    return np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])


def _edge_runs_outside(flat: Mask, landing: Mask) -> Mask:
    """The connected runs of `flat` that touch the picture's edge and of which at least
    FILL_OUTSIDE land outside file1 (`landing` is False there)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(flat.view(np.uint8), connectivity=4)
    outside = np.bincount(labels[~landing], minlength=count)  # the few pixels off file1
    chosen = np.zeros(count, bool)
    chosen[_rim(labels)] = True
    chosen[0] = False  # not flat
    chosen &= outside >= FILL_OUTSIDE * stats[:, cv2.CC_STAT_AREA]
    return np.asarray(chosen[labels], bool)


def inner_mask(covered: F32) -> Mask:
    """Fully covered pixels, shrunk by the SSIM window so no window straddles the edge of the
    warped picture (its black surround would read as a difference)."""
    full = (covered > 0.999).astype(np.uint8)
    kernel = np.ones(SSIM_WINDOW, np.uint8)
    return np.asarray(cv2.erode(full, kernel), dtype=bool)


def feature_size(size: tuple[int, int]) -> tuple[int, int]:
    scale = min(1.0, FEATURE_SIDE / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


# --- dense alignment: for pictures with too little texture for keypoints -------------------------

DENSE_SEARCH_SIDE = 128  # short side of the rotation search
DENSE_REFINE_SIDE = 256  # short side of the ECC refinement and of the check
DENSE_ANGLES = tuple(float(angle) for angle in range(-16, 17, 2))  # degrees, ±15° and a margin
ECC_CRITERIA = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 60, 1e-4)
_NO_MASK: U8 = np.zeros(0, np.uint8)  # OpenCV reads an empty mask as "every pixel"
CHECK_BAND = (1.0, 6.0)  # Gaussian sigmas of the band-pass the overlap is correlated on (px)


def dense_align(gray_a: U8, gray_b: U8, scales: tuple[float, ...]) -> Alignment:
    """Rotation, translation (and one of the given scales: file2's feature pixels per file1's)
    from the pictures' whole content. `correlation` says whether the result can be trusted."""
    if min(*gray_a.shape, *gray_b.shape) < MIN_FEATURE_SIDE:
        return Alignment(0, 0, 0, 0, None, "dense")
    search = min(1.0, DENSE_SEARCH_SIDE / min(gray_a.shape))
    coarse = _rotation_search(_scaled(gray_a, search), _scaled(gray_b, search), scales)
    refine = min(1.0, DENSE_REFINE_SIDE / min(gray_a.shape))
    a, b = _scaled(gray_a, refine), _scaled(gray_b, refine)
    start = coarse.copy()
    start[:, 2] *= refine / search
    fitted = _ecc(a, b, start)
    correlation = _overlap_correlation(a, b, fitted)
    homography = np.vstack([fitted, [0.0, 0.0, 1.0]])
    homography[:2, 2] /= refine  # back to feature pixels
    usable = homography if plausible(homography) else None
    return Alignment(0, 0, 0, 0, usable, "dense", correlation)


def _scaled(gray: U8, factor: float) -> F32:
    size = (max(8, round(gray.shape[1] * factor)), max(8, round(gray.shape[0] * factor)))
    return f32(cv2.resize(gray, size, interpolation=cv2.INTER_AREA).astype(np.float32))


def _placed(b: F32, a_shape: tuple[int, ...], angle: float, scale: float) -> Matrix:
    """file2's pixels -> file1's: turned by `angle` about file2's centre, scaled, centred."""
    height_b, width_b = b.shape
    matrix = np.asarray(cv2.getRotationMatrix2D((width_b / 2, height_b / 2), angle, scale))
    matrix[0, 2] += a_shape[1] / 2 - width_b / 2
    matrix[1, 2] += a_shape[0] / 2 - height_b / 2
    return matrix.astype(np.float64)


def _rotation_search(a: F32, b: F32, scales: tuple[float, ...]) -> Matrix:
    """The rotation and scale whose phase correlation peaks highest, with the shift it finds."""
    size = (a.shape[1], a.shape[0])
    window = cv2.createHanningWindow(size, cv2.CV_64F)
    reference = cv2.GaussianBlur(a, (0, 0), 1.0).astype(np.float64)
    best, best_response = _placed(b, a.shape, 0.0, scales[0]), -1.0
    for scale in scales:
        for angle in DENSE_ANGLES:
            matrix = _placed(b, a.shape, angle, scale)
            turned = cv2.warpAffine(b, matrix, size, borderValue=float(b.mean()))
            moved = cv2.GaussianBlur(turned, (0, 0), 1.0).astype(np.float64)
            (dx, dy), response = cv2.phaseCorrelate(reference, moved, window)
            if response > best_response:
                best_response, best = response, matrix.copy()
                best[0, 2] -= dx
                best[1, 2] -= dy
    return best


def _ecc(a: F32, b: F32, start: Matrix) -> Matrix:
    """Refine file2 -> file1 by maximising the enhanced correlation coefficient (insensitive to
    brightness and contrast). ECC maps template (file1) pixels into the input (file2), so the
    start is inverted, and the result inverted back; no convergence keeps the start."""
    inverse = np.linalg.inv(np.vstack([start, [0.0, 0.0, 1.0]]))[:2].astype(np.float32)
    try:
        _, warp = cv2.findTransformECC(a, b, inverse, cv2.MOTION_AFFINE, ECC_CRITERIA, _NO_MASK, 5)
    except cv2.error:
        return start
    return np.asarray(np.linalg.inv(np.vstack([warp, [0.0, 0.0, 1.0]]))[:2], np.float64)


def _overlap_correlation(a: F32, b: F32, matrix: Matrix) -> float:
    """Pearson correlation of the band-passed pictures where file2 covers file1: smooth shading
    (a sky's gradient, haze) is removed first, so only matching shapes - the same clouds, dunes,
    ripples - correlate."""
    size = (a.shape[1], a.shape[0])
    warped = cv2.warpAffine(b, matrix, size, flags=cv2.INTER_LINEAR)
    covered = cv2.warpAffine(np.ones_like(b), matrix, size, flags=cv2.INTER_LINEAR) > 0.999
    inside = cv2.erode(covered.astype(np.uint8), np.ones((15, 15), np.uint8)) > 0
    if inside.sum() < 0.05 * inside.size:
        return 0.0
    x, y = _band(a)[inside], _band(f32(warped))[inside]
    if float(x.std()) < 1e-3 or float(y.std()) < 1e-3:
        return 0.0  # a blank picture: nothing to correlate
    return float(np.corrcoef(x, y)[0, 1])


def _band(gray: F32) -> F32:
    low, high = CHECK_BAND
    return f32(cv2.GaussianBlur(gray, (0, 0), low) - cv2.GaussianBlur(gray, (0, 0), high))
