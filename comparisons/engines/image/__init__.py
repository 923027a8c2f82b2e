"""The image engine: JPG, PNG, WebP and GIF, compared in one of two modes.

- pixel (default): both pictures are brought to one working size (file1's frame at Wang's
  standard SSIM downsampling, never larger than file2), then SSIM, PSNR, MSE and a perceptual
  hash are measured on luminance (as SSIM is defined; PSNR is thus Y-PSNR); the diff image and
  the changed regions come from the SSIM map.
- feature: ORB keypoints and a MAGSAC homography put file2 onto file1 (rotation, scale, crop),
  then the overlap is compared with SSIM, raw and after matching tones (histogram), so lighting
  changes pass too. It is never stricter than pixel mode: when no alignment is found, or when
  pixel mode scores higher, its score is pixel mode's.

Each file is read and decoded exactly once per comparison; everything after decoding runs on
small arrays, so a comparison costs little more than the decoding itself.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from comparisons.engines import spec_of
from comparisons.engines.base import (
    Artifact,
    EngineError,
    MediaInfo,
    Options,
    Progress,
    Result,
    TransientEngineError,
    no_progress,
)
from comparisons.engines.image import imaging
from comparisons.engines.image.imaging import F32, U8, Header, Mask

Matrix = npt.NDArray[np.float64]
MODES = spec_of("image").mode_names  # ("pixel", "feature"): the first is the default
CHANGE_THRESHOLD = 0.5  # local 1 - SSIM above this is a change (re-encoding noise stays < 0.15)


class UnsupportedMode(EngineError):
    """The API validates `mode`; this guards callers that do not."""

    code = "unsupported_mode"


# --- the score -----------------------------------------------------------------------------------
#
# Calibrated on eight skimage photos (astronaut, chelsea, coffee, rocket, hubble, motorcycle,
# retina, ihc) and their variants, measured at the working size (scores as they come out):
#
#                                           SSIM (best of raw,   pHash      pixel-mode
#                                           tone-matched)        distance   score
#   JPEG q70, resized 50%, watermark, +25   0.95 .. 1.00          0 .. 10   97.4 .. 99.9
#   relit (gamma 1.4, contrast 0.7)         0.94 .. 1.00          0 .. 4    95.6 .. 99.9
#   object pasted over 1/9 of the picture   0.87 .. 0.89          6 .. 26   64.3 .. 81.2
#   object pasted over 1/4 of the picture   0.73 .. 0.81         10 .. 28   30.1 .. 52.0
#   unrelated photos (28 pairs)             0.06 .. 0.56         20 .. 38    2.1 .. 12.1
#
# 1 - SSIM is roughly the share of the picture whose structure changed, so the score falls along
# a logistic curve of it: half at 0.22, steep beyond (0.05 -> 98, 0.12 -> 82, 0.25 -> 42,
# 0.4 -> 18). SSIM is also taken after matching file2's grey-level histogram to file1's, and
# the better of the two counts: that undoes any global tone change (brightness, contrast,
# gamma), so a brightened or relit copy is "the same picture", as a viewer sees it. PSNR and
# MSE are reported but not scored: a +25 brightness shift alone drops PSNR to 20 dB. The
# perceptual hash, which sees the global layout, scales the result by 0.8 .. 1.0 so that a
# different picture with similar textures cannot reach a near-duplicate score.
STRUCTURE_HALF = 0.22
STRUCTURE_STEEPNESS = 2.5
HASH_SAME, HASH_DIFFERENT = 8, 24  # pHash distances: near-duplicates <= 8, unrelated >= 24


def structure_score(ssim: float) -> float:
    changed = max(0.0, 1.0 - ssim)
    return float(1.0 / (1.0 + (changed / STRUCTURE_HALF) ** STRUCTURE_STEEPNESS))


def hash_agreement(distance: int) -> float:
    return _unit((HASH_DIFFERENT - distance) / (HASH_DIFFERENT - HASH_SAME))


def pixel_similarity(ssim: float, phash_distance: int) -> float:
    return 100.0 * structure_score(ssim) * (0.8 + 0.2 * hash_agreement(phash_distance))


# Feature mode trusts an alignment by its inliers: unrelated photos give at most 9 inliers among
# up to 71 ratio-test matches (inlier ratio <= 0.42); rotated, cropped, relit and edited copies
# give 23..2500 inliers at a ratio of 0.83..1.0, and score 96..100 (edits: 39..89).
def match_strength(alignment: Alignment) -> float:
    enough = _unit((alignment.inliers - 8) / 12)
    consistent = _unit((alignment.inlier_ratio - 0.25) / 0.35)
    return enough * consistent


def feature_similarity(alignment: Alignment, aligned_ssim: float) -> float:
    return 100.0 * match_strength(alignment) * structure_score(aligned_ssim)


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


# --- decoded inputs and the evidence they give ---------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """One file, decoded once (JPEGs possibly at a reduced scale)."""

    data: bytes
    header: Header
    gray: U8  # luminance: every measurement is on it (colour is dropped right after decoding)

    @property
    def size(self) -> tuple[int, int]:
        return self.header.width, self.header.height

    def describe(self, suffix: str) -> dict[str, Any]:
        return {
            f"width_{suffix}": self.header.width,
            f"height_{suffix}": self.header.height,
            f"format_{suffix}": self.header.format,
            f"frames_{suffix}": self.header.frames,
        }


@dataclass
class Evidence:
    """A score with what backs it: file1 at the size the dissimilarity map was computed at."""

    similarity: float
    base: U8
    dissim: F32
    covered: Mask | None = None  # feature mode: the part of file1 that file2 covers
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Structure:
    ssim: float  # standard SSIM
    ssim_tones: float  # SSIM after matching file2's grey-level histogram to file1's
    best_map: F32

    @property
    def best(self) -> float:
        return max(self.ssim, self.ssim_tones)


def measure_structure(gray_a: F32, gray_b: F32, mask: Mask | None = None) -> Structure:
    reference = imaging.SsimReference(gray_a)
    raw, raw_map = reference.against(gray_b)
    tones, tones_map = reference.against(imaging.match_tones(gray_a, gray_b, mask))
    if mask is not None:
        raw, tones = float(raw_map[mask].mean()), float(tones_map[mask].mean())
    return Structure(raw, tones, raw_map if raw >= tones else tones_map)


# --- pixel mode ----------------------------------------------------------------------------------


def pixel_evidence(first: Picture, second: Picture) -> Evidence:
    size = imaging.working_size(first.size, second.size)
    image_a = imaging.resize_to(first.gray, size)
    image_b = imaging.resize_to(second.gray, size)
    gray_a, gray_b = imaging.f32(image_a), imaging.f32(image_b)
    structure = measure_structure(gray_a, gray_b)
    mse = imaging.mse(image_a, image_b)
    distance = imaging.hamming(imaging.phash(gray_a), imaging.phash(gray_b))
    identical = first.data == second.data or (
        structure.ssim > 0.999 and _same_pixels(first.gray, second.gray)
    )
    # 100 is kept for identical pixels, so a visual-regression gate at 100 catches any change
    similarity = 100.0 if identical else min(99.9, pixel_similarity(structure.best, distance))
    metrics = {
        "ssim": round(structure.ssim, 4),
        "ssim_tone_matched": round(structure.ssim_tones, 4),
        "psnr": round(imaging.psnr(mse), 2),
        "mse": round(mse, 2),
        "phash_distance": distance,
        "identical": identical,
        "working_width": size[0],
        "working_height": size[1],
    }
    return Evidence(similarity, image_a, imaging.dissimilarity(structure.best_map), None, metrics)


def _same_pixels(a: U8, b: U8) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))


# --- feature mode: keypoints and a homography ----------------------------------------------------

FEATURE_SIDE = 800  # keypoints are found on images at most this large: ORB's pyramid does scale
ORB_FEATURES = 2500
MIN_FEATURE_SIDE = 64  # smaller pictures cannot hold ORB's 31 px patches: pixel mode decides
LOWE_RATIO = 0.8  # for binary descriptors; SIFT's 0.75 is too strict for Hamming distances
RANSAC_PX = 4.0


@dataclass(frozen=True)
class Alignment:
    keypoints_a: int
    keypoints_b: int
    good_matches: int
    inliers: int
    homography: Matrix | None  # maps file2's feature pixels onto file1's

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
    src = imaging.f32([points_b[m.trainIdx].pt for m in good])
    dst = imaging.f32([points_a[m.queryIdx].pt for m in good])
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


def warp_into(image: F32, homography: Matrix, size: tuple[int, int]) -> tuple[F32, F32]:
    """file2 warped into file1's frame, and how much of each file1 pixel it covers (0..1)."""
    warped = cv2.warpPerspective(image, homography, size, flags=cv2.INTER_LINEAR)
    ones = np.ones(image.shape[:2], np.float32)
    covered = cv2.warpPerspective(ones, homography, size, flags=cv2.INTER_LINEAR)
    return imaging.f32(warped), imaging.f32(covered)


def inner_mask(covered: F32) -> Mask:
    """Fully covered pixels, shrunk by the SSIM window so no window straddles the edge of the
    warped picture (its black surround would read as a difference)."""
    full = (covered > 0.999).astype(np.uint8)
    kernel = np.ones(imaging.SSIM_WINDOW, np.uint8)
    return np.asarray(cv2.erode(full, kernel), dtype=bool)


# --- feature mode: comparing after alignment -----------------------------------------------------


def feature_size(size: tuple[int, int]) -> tuple[int, int]:
    scale = min(1.0, FEATURE_SIDE / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def feature_evidence(first: Picture, second: Picture) -> Evidence:
    """The aligned comparison, or pixel mode's when that scores higher (no keypoints on a flat
    picture, or a copy so exact that alignment only adds interpolation blur)."""
    identity = pixel_evidence(first, second)
    size_a = feature_size(first.size)
    gray_a = imaging.resize_to(first.gray, size_a)
    gray_b = imaging.resize_to(second.gray, feature_size(second.size))
    alignment = align(gray_a, gray_b)
    aligned = None
    if alignment.homography is not None:
        aligned = aligned_evidence(first, gray_a, gray_b, alignment, alignment.homography)
        if aligned is not None:
            # file2's content size relative to file1's, undoing both feature-size reductions
            feature_scales = gray_a.shape[1] / first.size[0], gray_b.shape[1] / second.size[0]
            scale = rotation_and_scale(alignment.homography)[1]
            aligned.metrics["scale"] = round(feature_scales[0] / (scale * feature_scales[1]), 3)
    chosen = (
        aligned if aligned is not None and aligned.similarity > identity.similarity else identity
    )
    chosen.metrics = {
        **identity.metrics,
        **(aligned.metrics if aligned is not None else {}),
        "keypoints_a": alignment.keypoints_a,
        "keypoints_b": alignment.keypoints_b,
        "good_matches": alignment.good_matches,
        "inliers": alignment.inliers,
        "inlier_ratio": round(alignment.inlier_ratio, 3),
        "alignment": "homography" if chosen is aligned else "identity",
    }
    return chosen


def aligned_evidence(
    first: Picture, gray_a: U8, gray_b: U8, alignment: Alignment, homography: Matrix
) -> Evidence | None:
    """file2 warped onto file1 at feature size, then compared at Wang's SSIM scale."""
    height, width = gray_a.shape
    warped, covered = warp_into(imaging.f32(gray_b), homography, (width, height))
    factor = max(1, round(min(width, height) / imaging.SSIM_TARGET_SIDE))
    small = (max(1, round(width / factor)), max(1, round(height / factor)))
    reference = imaging.f32(cv2.resize(gray_a, small, interpolation=cv2.INTER_AREA))
    warped = imaging.f32(cv2.resize(warped, small, interpolation=cv2.INTER_AREA))
    mask = inner_mask(imaging.f32(cv2.resize(covered, small, interpolation=cv2.INTER_AREA)))
    if mask.sum() < 0.02 * mask.size:
        return None  # file2 covers almost nothing of file1: no overlap to compare
    warped = np.where(mask, warped, reference).astype(np.float32)  # outside: no difference
    structure = measure_structure(reference, warped, mask)
    dissim = imaging.dissimilarity(structure.best_map) * mask
    metrics = {
        "aligned_ssim": round(structure.best, 4),
        "overlap_pct": round(100 * float((covered > 0.5).mean()), 1),
        "rotation_deg": round(rotation_and_scale(homography)[0], 1),
    }
    base = imaging.resize_to(first.gray, small)
    similarity = min(99.9, feature_similarity(alignment, structure.best))
    return Evidence(similarity, base, dissim.astype(np.float32), mask, metrics)


# --- the engine ----------------------------------------------------------------------------------


class ImageEngine:
    media_type = "image"
    runs_async = spec_of(media_type).runs_async  # its facts live in the registry's line

    def probe(self, path: Path) -> MediaInfo:
        """Header and file end only: format, size, frames; refuses bombs and truncated files."""
        try:
            header = imaging.probe_file(path, "The image")
        except OSError as error:
            raise _unreadable_storage("The image", error) from error
        return MediaInfo(
            media_type="image",
            format=header.format,
            width=header.width,
            height=header.height,
            extra={
                "frames": header.frames,
                "animated": header.frames > 1,
                "has_alpha": header.has_alpha,
            },
        )

    def compare(self, a: Path, b: Path, options: Options, progress: Progress) -> Result:
        mode = options.mode or MODES[0]
        if mode not in MODES:
            raise UnsupportedMode(
                f"Unknown image comparison mode {mode!r}: use {' or '.join(map(repr, MODES))}."
            )
        progress(5)
        first_data, second_data = _read(a, "file1"), _read(b, "file2")
        first_header = imaging.header_of(first_data, "file1")
        second_header = imaging.header_of(second_data, "file2")
        targets = _decode_targets(first_header, second_header, mode)
        first = _decode(first_data, first_header, targets[0], "file1")
        second = _decode(second_data, second_header, targets[1], "file2")
        progress(50)
        if mode == "feature":
            evidence = feature_evidence(first, second)
        else:
            evidence = pixel_evidence(first, second)
        progress(90)
        return _result(evidence, first, second, mode)

    def warm_up(self) -> None:
        """One tiny comparison per mode, so the first user does not pay for OpenCV's lazy
        initialisation (thread pool, ORB tables, PNG codec)."""
        noise = np.random.default_rng(0).integers(0, 256, (96, 128, 3), dtype=np.uint8)
        picture = cv2.GaussianBlur(noise, (5, 5), 0)  # texture, so ORB finds keypoints
        with tempfile.TemporaryDirectory() as folder:
            paths = [Path(folder, "a.png"), Path(folder, "b.png")]
            for path, image in zip(paths, (picture, np.rot90(picture)), strict=True):
                path.write_bytes(cv2.imencode(".png", np.ascontiguousarray(image))[1].tobytes())
            for mode in MODES:
                self.compare(paths[0], paths[1], Options(mode=mode), no_progress)


def _read(path: Path, label: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise _unreadable_storage(label, error) from error


def _unreadable_storage(label: str, error: OSError) -> TransientEngineError:
    """A local file that cannot be opened is the system's fault, not the upload's: retry."""
    return TransientEngineError(f"{label} could not be read from local storage ({error}).")


def _decode_targets(
    first: Header, second: Header, mode: str
) -> tuple[tuple[int, int], tuple[int, int]]:
    """The smallest sizes each file is needed at, so a big JPEG can be decoded reduced."""
    working = imaging.working_size((first.width, first.height), (second.width, second.height))
    if mode != "feature":
        return working, working
    sizes = [feature_size((header.width, header.height)) for header in (first, second)]
    return (
        (max(sizes[0][0], working[0]), max(sizes[0][1], working[1])),
        (max(sizes[1][0], working[0]), max(sizes[1][1], working[1])),
    )


def _decode(data: bytes, header: Header, target: tuple[int, int], label: str) -> Picture:
    reduce = imaging.jpeg_reduction((header.width, header.height), target)
    return Picture(data, header, imaging.gray8(imaging.decode(data, header, reduce, label)))


def _result(evidence: Evidence, first: Picture, second: Picture, mode: str) -> Result:
    height, width = evidence.dissim.shape
    scale = first.size[0] / width, first.size[1] / height
    changes = imaging.changed_regions(evidence.dissim, CHANGE_THRESHOLD, scale)
    changed = evidence.dissim > CHANGE_THRESHOLD
    metrics = {
        "mode": mode,
        **first.describe("a"),
        **second.describe("b"),
        **evidence.metrics,
        "changed_area_pct": round(100 * float(changed.mean()), 2),
    }
    diff = imaging.heatmap_png(evidence.base, evidence.dissim, evidence.covered)
    return Result(
        similarity=evidence.similarity,
        metrics=metrics,
        changes=changes,
        artifacts=[Artifact(name="diff.png", content_type="image/png", data=diff)],
    )


engine = ImageEngine()
