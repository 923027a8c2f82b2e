"""The per-pixel difference, as visual-regression tools decide it (pixelmatch, odiff).

A pixel has changed when its perceptual colour distance exceeds `THRESHOLD`, measured in YIQ (the
NTSC space where Y is brightness and I, Q carry hue) with Kotsarenko and Ramos' weights: a red
button turned blue at equal brightness is a change, as an eye sees it. Transparency counts: each
picture is composited on white and on black and the larger distance is kept, so transparent and
opaque white differ, while two fully transparent pixels of different colours (invisible) do not.

Anti-aliasing is tolerated: a changed pixel that sits on an intensity ramp between a darker and a
brighter neighbour, one of which lies in a flat area of both pictures, is the smoothing of an edge
(Vysniauskas 2009, as pixelmatch applies it), so text re-rendered with other font smoothing is not a
change. Encoding noise is tolerated too: a lone changed pixel with no changed neighbour is dropped
(a JPEG's ringing scatters such pixels; a real change, even one thin glyph stroke, is connected).

Everything is vectorised and measured only where something can have changed: a pixel whose
channels all moved by less than a bound set by the threshold (24 levels at 0.1) cannot cross
it, and is never looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TypeVar

import cv2
import numpy as np
import numpy.typing as npt

from comparisons.engines.image.decode import F32, U8, Decoded, Mask, f32, u8

Index = npt.NDArray[np.intp]
Box = tuple[int, int, int, int]  # top, bottom, left, right
ArrayT = TypeVar("ArrayT", npt.NDArray[np.int32], npt.NDArray[np.float32])

THRESHOLD = 0.1  # pixelmatch's and odiff's default: 10% of the largest colour distance
# Kotsarenko & Ramos (2010) weights for Y, I, Q; 35215 is the largest weighted squared distance
# between two colours (pixelmatch's normaliser): black to white is 0.966 of it, the distance 1
YIQ_WEIGHTS = np.array([0.5053, 0.299, 0.1957], np.float32)
YIQ_MAX_DELTA = 35215.0
# BGR (OpenCV's channel order) to Y, I, Q
BGR_TO_YIQ = np.array(
    [
        [0.11448223, 0.58662247, 0.29889531],
        [-0.32180189, -0.27417610, 0.59597799],
        [0.31114694, -0.52261711, 0.21147017],
    ],
    np.float32,
)


@cache
def _lowest_level(threshold: float) -> int:
    """The largest per-channel step that can never cross `threshold`: the weighted YIQ distance of
    a difference vector is a convex quadratic, so over the cube |d| <= m its maximum is at a
    corner; below that bound a pixel needs no colour maths at all."""
    corners = np.array([[b, g, r] for b in (-1, 1) for g in (-1, 1) for r in (-1, 1)], np.float32)
    worst = float(((corners @ BGR_TO_YIQ.T) ** 2 @ YIQ_WEIGHTS).max())
    return int(np.floor(np.sqrt(threshold**2 * YIQ_MAX_DELTA / worst)))


NOISE_SIGMA = 2.0  # px: the blur that averages compression noise away
NOISE_FRACTION = 0.5  # of THRESHOLD: what a blurred difference must still reach to be an edit


@dataclass(frozen=True)
class PixelDiff:
    """Where two pictures of one size differ, pixel by pixel."""

    distance: F32  # perceptual colour distance 0..1 (black vs white 0.97), 0 where not measured
    changed: Mask  # over the threshold, not anti-aliasing, not noise
    antialiased: Mask  # over the threshold but tolerated as anti-aliasing
    noise_pixels: int  # over the threshold but dropped as encoding noise (lone specks, ringing)
    moved_pixels: int  # pixels whose colour moved enough to be measured at all (0: no change)
    changed_pixels: int  # of `changed`


def compare(
    first: Decoded, second: Decoded, *, noisy: bool = False, threshold: float = THRESHOLD
) -> PixelDiff:
    """The per-pixel difference of two decoded pictures of the same size. `noisy`: one of them
    went through a lossy encoder or a resize, so a changed pixel must also stand out after a
    light blur of the difference: compression noise is high-frequency and averages away, an edit
    (a watermark, a word, a recoloured button) does not."""
    moved = _moved_map(first, second, _lowest_level(threshold))
    # everything happens inside the moved pixels' box: outside it, nothing is set
    within = _bounding_box(moved, margin=0)
    distance, over, measured = _over_threshold(first, second, moved, within, threshold)
    tolerated = antialiased(first, second, over, within)
    crop = _slices(within)
    found = over  # `over` is not needed again: the tolerated pixels are taken out in place
    found[crop] &= ~tolerated[crop]
    found_pixels = int(np.count_nonzero(found[crop]))
    changed = _without_lone_pixels(found, within)  # a lone pixel is a speck, not an edit
    if noisy:
        changed &= _stands_out_blurred(first, second, changed, threshold * NOISE_FRACTION)
    changed_pixels = int(np.count_nonzero(changed[crop]))
    return PixelDiff(
        distance=distance,
        changed=changed,
        antialiased=tolerated,
        noise_pixels=found_pixels - changed_pixels,
        moved_pixels=measured,
        changed_pixels=changed_pixels,
    )


def _over_threshold(
    first: Decoded, second: Decoded, moved: U8, within: Box | None, threshold: float
) -> tuple[F32, Mask, int]:
    """The distance map, the pixels over `threshold`, and how many pixels moved. The moved
    pixels all lie `within` a box, and only they can cross the threshold: the distance is
    measured over the whole box where they are dense in it, at them alone otherwise, and is 0
    wherever it was not measured (the rest of the picture is byte-equal or nearly)."""
    distance = np.zeros(moved.shape, np.float32)
    over = np.zeros(moved.shape, bool)
    if within is None:
        return distance, over, 0
    crop = _slices(within)
    box = moved[crop]
    measured = cv2.countNonZero(box)
    if measured > box.size // 8:  # dense: whole-box OpenCV arithmetic beats gathering
        distance[crop] = _box_distance(first, second, crop)
        over[crop] = (distance[crop] > threshold) & box.view(bool)
        return distance, over, measured
    where = np.flatnonzero(moved.view(bool))  # 0/1 bytes: numpy's fast path for booleans
    flat = distance.reshape(-1)
    flat[where] = _gathered_distance(first, second, where)
    over.reshape(-1)[where[flat[where] > threshold]] = True
    return distance, over, measured


def over_threshold_share(first: Decoded, second: Decoded, threshold: float = THRESHOLD) -> float:
    """The share of pixels over the threshold, without the anti-aliasing and noise tolerances:
    a quick upper bound on the changed share, for comparisons the score needs (tone-matched
    copies), not for evidence."""
    moved = _moved_map(first, second, _lowest_level(threshold))
    over = _over_threshold(first, second, moved, _bounding_box(moved, margin=0), threshold)[1]
    return float(np.count_nonzero(over) / over.size)


def matched_tones(first: Decoded, second: Decoded) -> tuple[Decoded, Decoded]:
    """`second` with each channel's levels remapped so their histogram matches `first`'s, and
    `first` remapped to `second`'s: a global brightness, contrast, gamma or colour-balance change
    is undone, a local edit is not (a recoloured button keeps its new colour in a picture whose
    other pixels did not move). Each plane's histograms are counted once for both ways."""
    white = _cdfs(first.on_white), _cdfs(second.on_white)
    if not _has_alpha(first, second):
        return (
            Decoded(_remapped(second.on_white, white[1], white[0])),
            Decoded(_remapped(first.on_white, white[0], white[1])),
        )
    black_a, black_b = _planes(first)[1], _planes(second)[1]
    black = _cdfs(black_a), _cdfs(black_b)
    return (
        Decoded(_remapped(second.on_white, white[1], white[0]), _remapped(black_b, *black[::-1])),
        Decoded(_remapped(first.on_white, white[0], white[1]), _remapped(black_a, *black)),
    )


def alpha_share(first: Decoded, second: Decoded, threshold: float = THRESHOLD) -> float:
    """The share of pixels whose opacity differs by more than `threshold` (of fully opaque):
    what no tone matching may explain away."""
    if not _has_alpha(first, second):
        return 0.0
    alpha_a, alpha_b = _alpha(first), _alpha(second)
    moved = cv2.absdiff(alpha_a, alpha_b) > threshold * 255
    return float(np.count_nonzero(moved)) / moved.size


def _alpha(picture: Decoded) -> U8:
    """Opacity from the two composites: on white minus on black is 255 - alpha."""
    if picture.on_black is None:
        return np.full(picture.on_white.shape[:2], 255, np.uint8)
    clear = cv2.subtract(picture.on_white[:, :, 1], picture.on_black[:, :, 1])
    return u8(cv2.subtract(np.full_like(clear, 255), clear))


Cdfs = list[npt.NDArray[np.float64]]  # one cumulative histogram per channel


def _remapped(image: U8, own: Cdfs, reference: Cdfs) -> U8:
    """`image` (whose channels' cumulative histograms are `own`) remapped to `reference`'s."""
    tables = []
    for image_cdf, reference_cdf in zip(own, reference, strict=True):
        table = np.interp(image_cdf, reference_cdf, np.arange(256, dtype=np.float64))
        tables.append(np.clip(np.rint(table), 0, 255).astype(np.uint8).reshape(256, 1))
    return u8(cv2.LUT(image, u8(cv2.merge(tables))))


def _cdfs(image: U8) -> Cdfs:
    return [_cdf(image, channel) for channel in range(3)]


def _cdf(image: U8, channel: int) -> npt.NDArray[np.float64]:
    histogram = cv2.calcHist([image], [channel], None, [256], [0, 256]).ravel()
    return np.asarray(np.cumsum(histogram) / max(1.0, float(histogram.sum())), np.float64)


def _stands_out_blurred(first: Decoded, second: Decoded, changed: Mask, level: float) -> Mask:
    """Where the difference, blurred by NOISE_SIGMA, still exceeds `level` (examined only in the
    box around the changed pixels)."""
    result = np.zeros(changed.shape, bool)
    margin = int(3 * NOISE_SIGMA) + 1
    box = _bounding_box(changed, margin)
    if box is None:
        return result
    top, bottom, left, right = box
    crop = (slice(top, bottom), slice(left, right))
    pairs = [(first.on_white, second.on_white)]
    if _has_alpha(first, second):
        pairs.append((_planes(first)[1], _planes(second)[1]))
    blurred = np.zeros((bottom - top, right - left), np.float32)
    for plane_a, plane_b in pairs:
        difference = cv2.subtract(plane_a[crop], plane_b[crop], dtype=cv2.CV_32F)
        smooth = cv2.GaussianBlur(difference, (0, 0), NOISE_SIGMA)
        blurred = np.maximum(blurred, _yiq_norm(f32(smooth)))
    result[crop] = blurred > level
    return result


def _planes(picture: Decoded) -> tuple[U8, U8]:
    return picture.on_white, picture.on_white if picture.on_black is None else picture.on_black


def _has_alpha(first: Decoded, second: Decoded) -> bool:
    return first.on_black is not None or second.on_black is not None


def _moved_map(first: Decoded, second: Decoded, lowest: int) -> U8:
    """1 where some channel moved by more than `lowest`, on white or (for pictures with
    transparency) on black, else 0."""
    moved = _moved(first.on_white, second.on_white, lowest)
    if _has_alpha(first, second):
        moved = u8(cv2.max(moved, _moved(_planes(first)[1], _planes(second)[1], lowest)))
    return moved


def _moved(a: U8, b: U8, lowest: int) -> U8:
    """1 where some channel moved by more than `lowest`, else 0: inRange finds the pixels whose
    every channel stayed within it, in one OpenCV SIMD pass to one byte a pixel."""
    still = cv2.inRange(cv2.absdiff(a, b), (0, 0, 0), (lowest, lowest, lowest))
    return u8(cv2.threshold(still, 0, 1, cv2.THRESH_BINARY_INV)[1])


def _box_distance(first: Decoded, second: Decoded, crop: tuple[slice, slice]) -> F32:
    """The normalised YIQ distance (0..1) of every pixel in `crop`, the larger of on white and
    on black."""
    distance = _yiq_distance(first.on_white[crop], second.on_white[crop])
    if _has_alpha(first, second):
        on_black = _yiq_distance(_planes(first)[1][crop], _planes(second)[1][crop])
        distance = f32(cv2.max(distance, on_black))
    return distance


def _gathered_distance(first: Decoded, second: Decoded, where: Index) -> F32:
    """The normalised YIQ distance of the pixels at the flat indices `where`, one by one."""
    measured = _yiq_distance(_gather(first.on_white, where), _gather(second.on_white, where))
    if _has_alpha(first, second):
        black_a, black_b = _planes(first)[1], _planes(second)[1]
        on_black = _yiq_distance(_gather(black_a, where), _gather(black_b, where))
        measured = np.maximum(measured, on_black)
    return f32(measured.ravel())


def _gather(plane: U8, where: Index) -> U8:
    # take along an axis copies whole rows: several times faster than fancy indexing
    return u8(np.take(plane.reshape(-1, 3), where, axis=0).reshape(-1, 1, 3))


def _yiq_distance(a: U8, b: U8) -> F32:
    """Per pixel of two BGR arrays of one shape: sqrt(weighted YIQ delta / black-vs-white)."""
    return _yiq_norm(f32(cv2.subtract(a, b, dtype=cv2.CV_32F)))


def _yiq_norm(difference: F32) -> F32:
    """The normalised YIQ distance of a float32 BGR difference array."""
    yiq = cv2.transform(difference, BGR_TO_YIQ)
    weighted = cv2.transform(cv2.multiply(yiq, yiq), _SCALED_WEIGHTS)
    return f32(cv2.sqrt(weighted))


_SCALED_WEIGHTS = (YIQ_WEIGHTS / YIQ_MAX_DELTA).reshape(1, 3)


def _without_lone_pixels(found: Mask, within: Box | None = None) -> Mask:
    """`found` less the pixels none of whose 8 neighbours is found (examined in the box
    around the found pixels only, which lie `within` a box; `found` is changed in place)."""
    box = _bounding_box(found, margin=1, within=within)
    if box is None:
        return found
    top, bottom, left, right = box
    crop = found[top:bottom, left:right]
    neighbours = cv2.filter2D(crop.view(np.uint8), cv2.CV_8U, _RING, borderType=cv2.BORDER_CONSTANT)
    crop &= neighbours > 0
    return found


_RING = np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], np.float32)


# --- anti-aliasing ---------------------------------------------------------------------------
#
# pixelmatch's test, vectorised: a pixel is anti-aliasing in a picture when (1) at most 2 of its
# 8 neighbours carry its exact colour (the frame counts as one), (2) it has both a darker and a
# brighter neighbour, and (3) the darkest or the brightest neighbour (the first in pixelmatch's
# scan order on ties) has 3 or more identical neighbours of its own in both pictures: it lies in
# a flat area, the glyph's body or the page. A changed pixel is tolerated when it is
# anti-aliasing in either picture. Only the box around the changed pixels is examined, and of it
# only pixels next to a flat area, since (3) cannot hold elsewhere.


# neighbour offsets (dy, dx) in pixelmatch's scan order: column by column
_NEIGHBOURS = [(dy, dx) for dx in (-1, 0, 1) for dy in (-1, 0, 1) if (dy, dx) != (0, 0)]
_OUTSIDE = 0  # the colour code of padding: alpha 0 with black on white cannot be decoded


@dataclass(frozen=True)
class _Area:
    """One picture inside the examined box, padded by one pixel: exact colour codes (RGBA as one
    number, as pixelmatch compares pixels), brightness (NaN outside the picture), and how many of
    each pixel's neighbours share its colour (the frame counting as one)."""

    codes: npt.NDArray[np.int32]
    brightness: F32
    siblings: U8


def antialiased(first: Decoded, second: Decoded, over: Mask, within: Box | None = None) -> Mask:
    """Which of the `over` pixels (which lie `within` a box) are anti-aliasing in either
    picture."""
    result = np.zeros(over.shape, bool)
    box = _bounding_box(over, margin=2, within=within)
    if box is None:
        return result
    top, bottom, left, right = box
    crop = (slice(top, bottom), slice(left, right))
    frame = _frame((top, bottom, left, right), over.shape)
    areas = _area(first, crop, frame), _area(second, crop, frame)
    flat_both = (areas[0].siblings > 2) & (areas[1].siblings > 2)
    near_flat = cv2.dilate(u8(flat_both), np.ones((3, 3), np.uint8)) > 0
    inner = over[crop] & near_flat
    flat_padded = np.pad(flat_both, 1).ravel()
    centres = _padded_index(np.flatnonzero(inner), right - left)
    tolerated = _ramp_to_flat(areas[0], flat_padded, centres, right - left)
    rest = ~tolerated
    tolerated[rest] = _ramp_to_flat(areas[1], flat_padded, centres[rest], right - left)
    found = np.zeros(inner.size, bool)
    found[np.flatnonzero(inner)[tolerated]] = True
    result[crop] = found.reshape(inner.shape)
    return result


def _bounding_box(mask: Mask | U8, margin: int, within: Box | None = None) -> Box | None:
    """(top, bottom, left, right) around the set pixels, widened by `margin` within the mask;
    only the box `within` is scanned, when the set pixels are known to lie in it."""
    top, left = (0, 0) if within is None else (within[0], within[2])
    scanned = mask if within is None else mask[_slices(within)]
    x, y, width, height = cv2.boundingRect(scanned.view(np.uint8))  # one SIMD pass
    if width == 0:
        return None
    rows, columns = mask.shape
    return (
        max(0, top + y - margin),
        min(rows, top + y + height + margin),
        max(0, left + x - margin),
        min(columns, left + x + width + margin),
    )


def _slices(box: Box | None) -> tuple[slice, slice]:
    if box is None:
        return slice(0, 0), slice(0, 0)
    top, bottom, left, right = box
    return slice(top, bottom), slice(left, right)


def _frame(box: tuple[int, int, int, int], shape: tuple[int, ...]) -> U8:
    """1 on the picture's own border (pixelmatch counts the frame as one equal neighbour)."""
    top, bottom, left, right = box
    frame = np.zeros((bottom - top, right - left), np.uint8)
    if top == 0:
        frame[0, :] = 1
    if bottom == shape[0]:
        frame[-1, :] = 1
    if left == 0:
        frame[:, 0] = 1
    if right == shape[1]:
        frame[:, -1] = 1
    return frame


def _area(picture: Decoded, crop: tuple[slice, slice], frame: U8) -> _Area:
    on_white = np.ascontiguousarray(picture.on_white[crop])
    bgra = u8(cv2.cvtColor(on_white, cv2.COLOR_BGR2BGRA))
    if picture.on_black is not None:  # alpha, recovered from the two composites
        bgra[:, :, 3] = 255 - (on_white[:, :, 0] - picture.on_black[crop][:, :, 0])
    codes = _framed(bgra.view(np.int32)[:, :, 0], _OUTSIDE)
    luma = f32(cv2.transform(on_white.astype(np.float32), BGR_TO_YIQ[:1]))
    brightness = _framed(luma.reshape(on_white.shape[:2]), float("nan"))
    return _Area(codes, brightness, _siblings(codes) + frame)


def _framed(array: ArrayT, value: float) -> ArrayT:
    """`array` inside a one-pixel frame of `value` (OpenCV's border copy: numpy's pad is
    several times slower)."""
    framed = cv2.copyMakeBorder(array, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=value)
    return np.asarray(framed, array.dtype)


def _siblings(codes: npt.NDArray[np.int32]) -> U8:
    """For each pixel of a padded code array, how many of its 8 neighbours share its code."""
    height, width = codes.shape[0] - 2, codes.shape[1] - 2
    centre = codes[1:-1, 1:-1]
    count = np.zeros((height, width), np.uint8)
    for dy, dx in _NEIGHBOURS:
        shifted = codes[1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width]
        count -= u8(cv2.compare(shifted, centre, cv2.CMP_EQ))  # 255 is -1: wraps to +1
    return count


def _padded_index(flat: Index, width: int) -> Index:
    rows, columns = np.divmod(flat, width)
    return (rows + 1) * (width + 2) + columns + 1


def _ramp_to_flat(area: _Area, flat_padded: Mask, centres: Index, width: int) -> Mask:
    """pixelmatch's conditions (1)-(3) for the pixels at `centres` (indices into the padded box)."""
    stride = width + 2
    offsets = np.array([dy * stride + dx for dy, dx in _NEIGHBOURS], np.intp)
    brightness = area.brightness.ravel()
    siblings = np.pad(area.siblings, 1).ravel()
    around = centres[:, None] + offsets[None, :]
    step = brightness[centres][:, None] - brightness[around]  # NaN outside the picture
    darker = np.where(step < 0, step, np.inf)
    brighter = np.where(step > 0, step, -np.inf)
    rows = np.arange(centres.size)
    lowest, highest = darker.argmin(axis=1), brighter.argmax(axis=1)
    ramp = (
        (siblings[centres] <= 2)
        & np.isfinite(darker[rows, lowest])
        & np.isfinite(brighter[rows, highest])
    )
    to_flat = flat_padded[around[rows, lowest]] | flat_padded[around[rows, highest]]
    return np.asarray(ramp & to_flat)
