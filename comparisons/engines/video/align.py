"""Time alignment and frame scoring for the video engine.

Alignment cross-correlates cheap per-frame signatures (a 16x12 thumbnail, zero-mean and unit-norm,
so brightness and contrast changes do not matter) on a common 10 Hz grid: the offset whose
overlapping frames agree best wins. Scoring then pairs every kept frame of file1 with the frame of
file2 nearest to the same moment and measures SSIM and MSE on the small grayscale frames.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from comparisons.engines.video.decode import Samples

GRID_RATE = 10.0  # Hz: offsets are found to a tenth of a second, then refined to the frame
SIGNATURE_SIZE = (16, 12)
# An offset must leave at least this share of the shorter file overlapping (shorter overlaps can
# match by chance).
MIN_OVERLAP = 0.3
# Among offsets that explain about as much, the smaller one wins: a second of offset costs as much
# as this many seconds of perfectly agreeing frames (it decides ties on still pictures, where
# every offset explains the same).
OFFSET_PENALTY_PER_S = 0.01
# A pair of frames counts as explained by a shift in proportion to its signature correlation to
# this power: a copy's frames correlate 0.99+ even at CRF 35 (weight 0.85 and up), frames of a
# slow pan 1.4 s apart 0.96 (weight 0.5), unrelated photos under 0.4 (nothing). Counted linearly,
# a slow pan slid 1.4 s off its true offset to overlap 14% longer.
MATCH_SHARPNESS = 16
# Below this mean signature correlation the files share no content, so no offset is claimed.
MIN_AGREEMENT = 0.35
# When refining, a pair shown 1/30 s apart costs this much agreement (~0.003): enough to prefer
# frame-exact pairs on still pictures, too little to override real agreement.
MISMATCH_PENALTY_PER_S = 0.1
# SSIM (Wang et al. 2004) with a 7x7 uniform window, as scikit-image computes it by default (a box
# filter is several times cheaper than the paper's 11x11 Gaussian), on 8-bit data.
SSIM_C1, SSIM_C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
SSIM_WINDOW = 7
BOX_KERNEL = np.full(SSIM_WINDOW, 1.0 / SSIM_WINDOW, dtype=np.float32)
CHUNK_PAIRS = 16  # pairs scored at once: temporaries stay in the CPU cache (3x faster than 64)
# Chunks are scored on this many threads (OpenCV and numpy release the GIL): scoring runs after
# both files are decoded, when the job has the two cores the decoders had.
SCORE_THREADS = 2


@dataclass(frozen=True)
class Pairs:
    """Frames of file1 (index a) shown at the same moment as frames of file2 (index b)."""

    a: np.ndarray  # int indices into file1's samples
    b: np.ndarray  # int indices into file2's samples
    ssim: np.ndarray  # float per pair
    mse: np.ndarray  # float per pair


def signatures(frames: np.ndarray) -> np.ndarray:
    """One zero-mean, unit-norm thumbnail vector per frame (flat frames give zeros)."""
    thumbs = np.stack([cv2.resize(f, SIGNATURE_SIZE, interpolation=cv2.INTER_AREA) for f in frames])
    vectors = thumbs.reshape(len(frames), -1).astype(np.float32)
    vectors -= vectors.mean(axis=1, keepdims=True)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: np.ndarray = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 1.0)
    return unit


def on_grid(times: np.ndarray, vectors: np.ndarray, rate: float = GRID_RATE) -> np.ndarray:
    """The signature nearest to each grid time 0, 1/rate, 2/rate, ... up to the last sample."""
    grid = np.arange(int(times[-1] * rate) + 1) / rate
    right = np.clip(np.searchsorted(times, grid), 1, len(times) - 1) if len(times) > 1 else None
    if right is None:
        return vectors[np.zeros(len(grid), dtype=int)]
    nearest = np.where(grid - times[right - 1] <= times[right] - grid, right - 1, right)
    return vectors[nearest]


def find_offset(a: Samples, b: Samples) -> tuple[float, float]:
    """(offset_s, agreement): the same content is at time t in file1 and t + offset_s in file2.

    This is the audio engine's convention: a positive offset means file2 plays the shared content
    later (it has extra seconds in front); a negative one means it plays it earlier (its intro was
    trimmed). The offset is found on the 10 Hz grid, then refined to the frame by trying nearby
    offsets on the kept frames themselves. Agreement is the mean signature correlation of the
    aligned frames: when it is low the files share no content, and no offset is claimed."""
    sig_a, sig_b = signatures(a.frames), signatures(b.frames)
    corr = on_grid(a.times, sig_a) @ on_grid(b.times, sig_b).T
    explained = _explained_seconds(corr)
    shifts = np.array(sorted(explained))
    scores = np.array([explained[k] - OFFSET_PENALTY_PER_S * abs(k) / GRID_RATE for k in shifts])
    coarse = int(shifts[int(np.argmax(scores))]) / GRID_RATE
    offset, agreement = _refine(a, b, sig_a, sig_b, coarse)
    if agreement < MIN_AGREEMENT:
        ia, ib = pair_frames(a, b, 0.0)
        return 0.0, float(np.mean(np.sum(sig_a[ia] * sig_b[ib], axis=1))) if len(ia) else 0.0
    return offset, agreement


def _explained_seconds(corr: np.ndarray) -> dict[int, float]:
    """For every shift k (file2 index minus file1 index) with enough overlap, how many seconds of
    the files it explains: a soft count of the frame pairs it lines up that match (see
    MATCH_SHARPNESS).

    A mean correlation would prefer the shortest overlap that agrees best: on content that
    repeats (the same shots every 9 s) with seconds 12-16 replaced, a 12 s overlap two periods
    away agreed 0.99 and beat the true 30 s alignment (0.89 on average, since 4 s differ), which
    explains 26 s."""
    na, nb = corr.shape
    least = max(1, int(MIN_OVERLAP * min(na, nb)))
    weights = np.clip(corr, 0.0, 1.0) ** MATCH_SHARPNESS
    return {
        k: float(np.sum(np.diagonal(weights, offset=k))) / GRID_RATE
        for k in range(-(na - least), nb - least + 1)
    }


def _refine(
    a: Samples, b: Samples, sig_a: np.ndarray, sig_b: np.ndarray, coarse: float
) -> tuple[float, float]:
    """The offset within a grid step of `coarse` whose frame pairs agree best, preferring pairs
    shown at exactly the same moment (so equal frame rates pair frame for frame)."""
    step = 0.5 / max(a.fps, b.fps, 1.0)  # half a frame
    reach = math.ceil(1.0 / GRID_RATE / step)  # the grid's nearest frame can be a step off
    candidates = coarse + step * np.arange(-reach, reach + 1)
    best = (coarse, -np.inf, 0.0)
    for offset in candidates:
        ia, ib = pair_frames(a, b, float(offset))
        if not len(ia):
            continue
        agreement = float(np.mean(np.sum(sig_a[ia] * sig_b[ib], axis=1)))
        mismatch = float(np.mean(np.abs(b.times[ib] - (a.times[ia] + offset))))
        score = agreement - MISMATCH_PENALTY_PER_S * mismatch
        if score > best[1]:
            best = (float(offset), score, agreement)
    return round(best[0], 4), best[2]


def pair_frames(a: Samples, b: Samples, offset: float) -> tuple[np.ndarray, np.ndarray]:
    """For each frame of file1, the frame of file2 nearest the same moment, when one is close
    (moments before file2's first frame or after its last have no partner)."""
    if len(b.times) == 0:
        return np.array([], dtype=int), np.array([], dtype=int)
    target = a.times + offset  # the same moments in file2's time
    right = np.clip(np.searchsorted(b.times, target), 0, len(b.times) - 1)
    left = np.clip(right - 1, 0, len(b.times) - 1)
    nearest = np.where(
        np.abs(b.times[left] - target) <= np.abs(b.times[right] - target), left, right
    )
    gap = float(np.median(np.diff(b.times))) if len(b.times) > 1 else 0.1
    tolerance = max(0.1, 0.75 * gap)
    close = np.abs(b.times[nearest] - target) <= tolerance
    inside = (target >= b.times[0] - gap / 2) & (target <= b.times[-1] + gap / 2)
    keep = close & inside
    return np.flatnonzero(keep), nearest[keep]


def score_pairs(a: Samples, b: Samples, offset: float) -> Pairs:
    """SSIM and MSE of every aligned pair, a chunk at a time (bounded temporaries)."""
    ia, ib = pair_frames(a, b, offset)
    ssim = np.empty(len(ia), dtype=np.float64)
    mse = np.empty(len(ia), dtype=np.float64)

    def score(lo: int) -> None:
        x = a.frames[ia[lo : lo + CHUNK_PAIRS]].astype(np.float32)
        y = b.frames[ib[lo : lo + CHUNK_PAIRS]].astype(np.float32)
        ssim[lo : lo + len(x)] = mean_ssim(ssim_maps(x, y))
        mse[lo : lo + len(x)] = np.square(x - y).mean(axis=(1, 2))

    with ThreadPoolExecutor(SCORE_THREADS, thread_name_prefix="video-score") as pool:
        list(pool.map(score, range(0, len(ia), CHUNK_PAIRS)))
    return Pairs(a=ia, b=ib, ssim=ssim, mse=mse)


def ssim_maps(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """SSIM maps of a stack of frame pairs (n, h, w), float32 in 0..255. Variances are sample
    variances (n - 1), as scikit-image computes them. The outer SSIM_WINDOW // 2 rows and columns
    are edge estimates, left out of the mean (as scikit-image does)."""
    # In-place arithmetic: this runs on ~13 M pixels for a minute of video, so every temporary
    # array saved is time saved.
    unbiased = SSIM_WINDOW**2 / (SSIM_WINDOW**2 - 1)
    mu_x, mu_y = _mean_filter(x), _mean_filter(y)
    xx, yy, xy = _mean_filter(x * x), _mean_filter(y * y), _mean_filter(x * y)
    mu_xy: np.ndarray = mu_x * mu_y
    mu_x *= mu_x  # now mu_x squared
    mu_y *= mu_y
    xy -= mu_xy  # covariance term: 2 * cov + C2
    xy *= 2 * unbiased
    xy += SSIM_C2
    mu_xy *= 2  # luminance term: 2 * mu_x * mu_y + C1
    mu_xy += SSIM_C1
    mu_xy *= xy  # numerator
    xx += yy  # variance term: var_x + var_y + C2
    xx -= mu_x
    xx -= mu_y
    xx *= unbiased
    xx += SSIM_C2
    mu_x += mu_y  # mu_x^2 + mu_y^2 + C1
    mu_x += SSIM_C1
    mu_x *= xx  # denominator
    mu_xy /= mu_x
    return mu_xy


def mean_ssim(maps: np.ndarray) -> np.ndarray:
    """Mean SSIM per map, leaving out the margin where the window hangs over the edge."""
    r = SSIM_WINDOW // 2
    means: np.ndarray = maps[:, r:-r, r:-r].mean(axis=(1, 2))
    return means


def _mean_filter(stack: np.ndarray) -> np.ndarray:
    """The local mean over a SSIM_WINDOW square of each frame of a stack, in one OpenCV call on the
    frames laid end to end: a frame's edge rows see the next frame, but those rows are margin,
    which the mean leaves out. (A separable filter is twice as fast as cv2.blur on float32.)"""
    n, h, w = stack.shape
    tall = cv2.sepFilter2D(stack.reshape(n * h, w), -1, BOX_KERNEL, BOX_KERNEL)
    filtered: np.ndarray = tall.reshape(n, h, w)
    return filtered
