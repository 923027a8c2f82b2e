"""How the image evidence becomes one similarity score, 0..100 (calibration figures in
benchmarks/bench_calibration.py --types images and the README's image section).

Pixel mode multiplies three agreements, each 0..1:

- structure: SSIM on luminance at the working size, the better of raw and tone-matched (so a
  brightened or relit copy is the same picture). 1 - SSIM is roughly the share of the picture
  whose structure changed; the score falls along a logistic curve of it, half at 0.22.
- layout: the perceptual hash distance, scaling by 0.8 .. 1.0, so that a different picture with
  similar textures cannot reach a near-duplicate score.
- colour: the share of pixels whose colour changed (per-pixel YIQ delta, alpha-aware, after the
  anti-aliasing and noise tolerances), taken at its smallest over the raw pair and the pair with
  tones matched either way, so a global brightness or colour-balance shift does not count but a
  recoloured button, a transparent area made opaque or a changed word does: exp(-3 * share).
  It gives the score resolution near the top: 0.1% of the pixels changed scores 99.7, 0.2% 99.4.

Feature mode trusts an alignment by its evidence (keypoint inliers, or the band-pass correlation
of a dense alignment) and scores the aligned overlap's structure.
"""

from __future__ import annotations

import math

STRUCTURE_HALF = 0.22
STRUCTURE_STEEPNESS = 2.5
HASH_SAME, HASH_DIFFERENT = 8, 24  # pHash distances: near-duplicates <= 8, unrelated >= 24
COLOUR_WEIGHT = 3.0  # per unit share of changed pixels: 10% changed -> x0.74


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


def structure_score(ssim: float) -> float:
    changed = max(0.0, 1.0 - ssim)
    return float(1.0 / (1.0 + (changed / STRUCTURE_HALF) ** STRUCTURE_STEEPNESS))


def hash_agreement(distance: int) -> float:
    return _unit((HASH_DIFFERENT - distance) / (HASH_DIFFERENT - HASH_SAME))


def colour_agreement(changed_share: float) -> float:
    return math.exp(-COLOUR_WEIGHT * max(0.0, changed_share))


def pixel_similarity(ssim: float, phash_distance: int, changed_share: float) -> float:
    layout = 0.8 + 0.2 * hash_agreement(phash_distance)
    return 100.0 * structure_score(ssim) * layout * colour_agreement(changed_share)


# Keypoint alignments: unrelated photos give at most 9 inliers among up to 71 ratio-test matches
# (inlier ratio <= 0.42); rotated, cropped, relit and edited copies give 23..2500 inliers at a
# ratio of 0.83..1.0.
def keypoint_strength(inliers: int, inlier_ratio: float) -> float:
    enough = _unit((inliers - 8) / 12)
    consistent = _unit((inlier_ratio - 0.25) / 0.35)
    return enough * consistent


# Dense alignments: the same low-texture scene rotated, cropped or relit correlates at 0.53..0.99
# once aligned (band-passed overlap); different skies, sands, waters or fogs at -0.01..0.13.
DENSE_UNRELATED, DENSE_SAME = 0.25, 0.5


def dense_strength(correlation: float) -> float:
    return _unit((correlation - DENSE_UNRELATED) / (DENSE_SAME - DENSE_UNRELATED))


def feature_similarity(strength: float, aligned_ssim: float) -> float:
    return 100.0 * strength * structure_score(aligned_ssim)
