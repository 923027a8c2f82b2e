"""Files and pixels for the image engine: sniffing, safe header checks, decoding once, the
common working size, and the measurements (SSIM, tone matching, MSE/PSNR, perceptual hash, heat
map, changed regions).

Decoding yields OpenCV's BGR; every measurement then works on 8-bit or float32 luminance. A
file's fault raises `UnreadableFile`. Nothing here knows about modes or scores: `image.py`
composes these pieces.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

from comparisons.engines.base import UnreadableFile

U8 = npt.NDArray[np.uint8]
F32 = npt.NDArray[np.float32]
Mask = npt.NDArray[np.bool_]


def u8(array: object) -> U8:
    """OpenCV's stubs type every result loosely; these name the dtype (no copy when it is)."""
    return np.asarray(array, dtype=np.uint8)


def f32(array: object) -> F32:
    return np.asarray(array, dtype=np.float32)


# Absurd sizes are refused from the header, before a single pixel is decoded: 50 MP is a
# 8660x5773 photo, more than any phone camera; a side over 20000 px is a panorama stitched by
# software, or a bomb.
MAX_PIXELS = 50_000_000
MAX_SIDE = 20_000
TAIL_BYTES = 64 * 1024  # how much of a file's end the completeness check reads

PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}
ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}

# Wang et al. (2004): 11x11 Gaussian window, sigma 1.5, K1 = 0.01, K2 = 0.03, L = 255.
SSIM_C1 = (0.01 * 255) ** 2
SSIM_C2 = (0.03 * 255) ** 2
SSIM_WINDOW = (11, 11)
SSIM_SIGMA = 1.5
SSIM_TARGET_SIDE = 256  # the standard automatic downsampling: factor round(min(h, w) / 256)
MIN_WORKING_SIDE = 16  # below this an 11x11 window has nothing to slide over
MAX_WORKING_SIDE = 2048  # bounds memory for absurd aspect ratios (e.g. 1x20000)


@dataclass(frozen=True)
class Header:
    """What the first bytes of a file say, checked before anything is decoded."""

    format: str  # "png" | "jpeg" | "webp" | "gif"
    width: int  # as displayed (JPEG EXIF rotation applied)
    height: int
    frames: int
    has_alpha: bool


def sniff(head: bytes) -> str | None:
    """The format from the magic bytes; the API's sniffing sends only images, this is the guard."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def declared_size(fmt: str, head: bytes) -> tuple[int, int] | None:
    """The size the first bytes claim, read without Pillow: WebP's decoder allocates its whole
    canvas when Pillow opens the file, and every bomb gets the same plain message this way.
    JPEG's size sits after a variable run of markers; Pillow reads it without allocating."""
    if fmt == "png" and head[12:16] == b"IHDR":
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if fmt == "gif":
        return int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
    if fmt == "webp":
        return _webp_size(head)
    return None


def _webp_size(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8X" and len(head) >= 30:
        return 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(head[27:30], "little")
    if chunk == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 " and len(head) >= 30:
        return (
            int.from_bytes(head[26:28], "little") & 0x3FFF,
            int.from_bytes(head[28:30], "little") & 0x3FFF,
        )
    return None


def check_size(width: int, height: int, label: str) -> None:
    if width <= 0 or height <= 0:
        raise UnreadableFile(
            f"{label} claims to be {width}x{height} pixels, which is not an image."
        )
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise UnreadableFile(
            f"{label} claims to be {width}x{height} pixels; images up to {MAX_PIXELS // 1_000_000} "
            f"megapixels and {MAX_SIDE} px a side are accepted. Resize it and try again."
        )


def check_complete(fmt: str, head: bytes, tail: bytes, size: int, label: str) -> None:
    """Catch a truncated download from the file's two ends, without decoding it. GIF is left to
    the decoder: many GIFs in the wild lack their trailer byte and every viewer shows them."""
    truncated = (
        (fmt == "png" and b"IEND" not in tail)
        # JPEG entropy-coded data never contains FF D9 (FF is always stuffed), so an end-of-image
        # marker near the end means the scan finished; trailers after it (motion photos) are fine.
        or (fmt == "jpeg" and b"\xff\xd9" not in tail)
        or (fmt == "webp" and int.from_bytes(head[4:8], "little") + 8 > size)
    )
    if truncated:
        raise UnreadableFile(
            f"{label} is truncated: the {fmt.upper()} data stops before the end of the image. "
            "Upload the complete file."
        )


def _frames(image: Image.Image) -> int:
    try:
        return int(getattr(image, "n_frames", 1))
    except (OSError, EOFError, ValueError, SyntaxError):
        return 1  # a damaged later frame: the first one is what we compare


def _header_from_pillow(stream: BinaryIO, fmt: str, label: str) -> Header:
    """Pillow parses only the header here (no `.load()`), so this is cheap for any size."""
    try:
        with warnings.catch_warnings():
            # sizes between Pillow's warning and error limits are refused below by check_size
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(stream, formats=[PIL_FORMATS[fmt]])
        width, height = image.size
        if fmt == "jpeg" and image.getexif().get(0x0112, 1) in (5, 6, 7, 8):
            width, height = height, width  # EXIF says "rotated 90°": the decoder turns it upright
        has_alpha = image.mode in ALPHA_MODES or "transparency" in image.info
        return Header(fmt, width, height, _frames(image), has_alpha)
    except Image.DecompressionBombError as error:
        raise UnreadableFile(
            f"{label} claims more pixels than can be decoded safely; images up to "
            f"{MAX_PIXELS // 1_000_000} megapixels are accepted. Resize it and try again."
        ) from error
    except UnidentifiedImageError as error:  # its message names a Python object: say it plainly
        raise UnreadableFile(
            f"{label} starts like a {fmt.upper()} image but its header is not valid. "
            "It may be corrupt."
        ) from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise UnreadableFile(
            f"{label} is not a readable {fmt.upper()} image ({error}). It may be corrupt."
        ) from error


def read_header(stream: BinaryIO, size: int, tail: bytes, label: str) -> Header:
    """Check a file from its header and its end: format, dimensions, completeness."""
    if size == 0:
        raise UnreadableFile(f"{label} is empty (0 bytes). Upload the image itself.")
    head = stream.read(64)
    stream.seek(0)
    fmt = sniff(head)
    if fmt is None:
        raise UnreadableFile(f"{label} is not a JPG, PNG, WebP or GIF image.")
    if (declared := declared_size(fmt, head)) is not None:
        check_size(*declared, label)
    check_complete(fmt, head, tail, size, label)
    header = _header_from_pillow(stream, fmt, label)
    check_size(header.width, header.height, label)
    return header


def probe_file(path: Path, label: str) -> Header:
    """Header-only inspection of a file on disk: reads its first bytes and its last 64 KiB."""
    with path.open("rb") as stream:
        size = stream.seek(0, io.SEEK_END)
        stream.seek(max(0, size - TAIL_BYTES))
        tail = stream.read()
        stream.seek(0)
        return read_header(stream, size, tail, label)


def header_of(data: bytes, label: str) -> Header:
    return read_header(io.BytesIO(data), len(data), data[-TAIL_BYTES:], label)


# --- decoding -------------------------------------------------------------------------------

# libjpeg scales by 1/2, 1/4 or 1/8 while decoding (DCT scaling): a big JPEG that will be
# downsampled for SSIM anyway is decoded at the reduced size, several times faster.
_REDUCED_JPEG = {
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


def decode(data: bytes, header: Header, reduce: int, label: str) -> U8:
    """Decode a file exactly once, to 8-bit BGR with transparency composited on white.

    Animated files (GIF, animated WebP/PNG) are compared by their first frame: it is what a
    still preview, a thumbnail and most tools show, and it keeps an image comparison an image
    comparison (use the video engine for motion). The frame counts are reported in metrics.
    """
    if header.format == "gif" or header.frames > 1:
        return _decode_with_pillow(data, label)
    return _decode_with_opencv(data, header, reduce, label)


def _decode_with_opencv(data: bytes, header: Header, reduce: int, label: str) -> U8:
    if header.has_alpha:
        flags = cv2.IMREAD_UNCHANGED
    elif header.format == "jpeg":
        flags = _REDUCED_JPEG.get(reduce, cv2.IMREAD_COLOR)
    else:
        flags = cv2.IMREAD_COLOR
    try:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    except cv2.error:
        image = None  # OpenCV's own limits or a decoder assertion: the file's fault all the same
    if image is None or image.size == 0:
        raise UnreadableFile(
            f"{label} could not be decoded: its {header.format.upper()} data is corrupt or "
            "incomplete. Re-export the image and try again."
        )
    return _to_bgr(image)


def _decode_with_pillow(data: bytes, label: str) -> U8:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            rgba = np.asarray(image.convert("RGBA"))
    except (OSError, EOFError, ValueError, SyntaxError) as error:
        raise UnreadableFile(
            f"{label} could not be decoded ({error}). It may be corrupt or truncated."
        ) from error
    return on_white(u8(cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA)))


def _to_bgr(decoded: object) -> U8:
    array = np.asarray(decoded)
    # 16-bit PNG: the top byte is what a screen shows
    image = u8(array >> 8) if array.dtype == np.uint16 else u8(array)
    if image.ndim == 2:
        return u8(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
    if image.shape[2] == 4:
        return on_white(image)
    return image


def on_white(bgra: U8) -> U8:
    """Composite on white, as a browser shows a transparent image on a page. uint8 arithmetic in
    OpenCV (rounded, saturated) keeps memory at one extra plane instead of float copies."""
    alpha = cv2.merge([bgra[:, :, 3]] * 3)
    covered = cv2.multiply(bgra[:, :, :3], alpha, scale=1 / 255)
    return u8(cv2.add(covered, cv2.bitwise_not(alpha)))


# --- common working size ----------------------------------------------------------------------


def working_size(size_a: tuple[int, int], size_b: tuple[int, int]) -> tuple[int, int]:
    """Where both images are compared: file1's frame, downsampled by Wang's standard factor
    round(min(h, w) / 256), and no larger than file2 itself (upscaling the smaller image would
    only measure the blur of the upscaler). file2 is stretched to file1's aspect: pixel mode
    compares frames; crops and rotations are what feature mode is for."""
    width_a, height_a = size_a
    factor = max(1, round(min(width_a, height_a) / SSIM_TARGET_SIDE))
    width, height = width_a / factor, height_a / factor
    shrink = min(1.0, size_b[0] / width, size_b[1] / height)
    return (
        _clamp(round(width * shrink), MIN_WORKING_SIDE, MAX_WORKING_SIDE),
        _clamp(round(height * shrink), MIN_WORKING_SIDE, MAX_WORKING_SIDE),
    )


def jpeg_reduction(size: tuple[int, int], target: tuple[int, int]) -> int:
    """The largest DCT scale (1, 2, 4, 8) that still decodes at least the target size."""
    ratio = min(size[0] / target[0], size[1] / target[1])
    return max((r for r in (1, 2, 4, 8) if r <= ratio), default=1)


def resize_to(image: U8, size: tuple[int, int]) -> U8:
    if (image.shape[1], image.shape[0]) == size:
        return image
    shrinking = image.shape[1] >= size[0] and image.shape[0] >= size[1]
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return u8(cv2.resize(image, size, interpolation=interpolation))


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


# --- measurements -----------------------------------------------------------------------------


class SsimReference:
    """SSIM as Wang et al. (2004) and skimage's structural_similarity with gaussian_weights=True,
    use_sample_covariance=False, data_range=255, with OpenCV's separable Gaussian blur doing the
    filtering (several times faster than scipy's). file1's local statistics are computed once,
    then compared against as many versions of file2 as needed (raw, tone-matched)."""

    def __init__(self, x: F32) -> None:
        self.x = x
        self.mu = _blur(x)
        self.mu_sq = self.mu * self.mu
        self.var = _blur(x * x) - self.mu_sq

    def against(self, y: F32) -> tuple[float, F32]:
        """Mean SSIM (over the area where the window fits, as skimage does) and the SSIM map."""
        mu_y = _blur(y)
        mu_yy, mu_xy = mu_y * mu_y, self.mu * mu_y
        var_y, cov = _blur(y * y) - mu_yy, _blur(self.x * y) - mu_xy
        numerator = (2 * mu_xy + SSIM_C1) * (2 * cov + SSIM_C2)
        ssim_map = f32(numerator / ((self.mu_sq + mu_yy + SSIM_C1) * (self.var + var_y + SSIM_C2)))
        pad = SSIM_WINDOW[0] // 2
        valid = ssim_map[pad:-pad, pad:-pad] if min(ssim_map.shape) > 2 * pad else ssim_map
        return float(valid.mean()), ssim_map


def ssim(x: F32, y: F32) -> tuple[float, F32]:
    return SsimReference(x).against(y)


def _blur(z: F32) -> F32:
    return f32(cv2.GaussianBlur(z, SSIM_WINDOW, SSIM_SIGMA, borderType=cv2.BORDER_REFLECT))


def mse(a: U8, b: U8) -> float:
    """Mean squared error in 0..255 units squared (on luminance, as SSIM is: Y-PSNR)."""
    return float(cv2.norm(a, b, cv2.NORM_L2SQR)) / a.size


def psnr(mse_value: float) -> float:
    """PSNR in dB. Identical images have an infinite PSNR; JSON has no infinity, so it is
    reported as 100 dB (well above the ~50 dB of an invisible difference)."""
    if mse_value <= 1e-10:
        return 100.0
    return float(min(100.0, 10 * np.log10(255.0**2 / mse_value)))


def phash(gray_image: F32) -> int:
    """64-bit perceptual hash (the DCT hash of imagehash.phash): low frequencies above median."""
    small = cv2.resize(gray_image, (32, 32), interpolation=cv2.INTER_AREA)
    low = cv2.dct(small)[:8, :8]
    bits = np.packbits((low > np.median(low)).ravel())
    return int.from_bytes(bits.tobytes(), "big")


def hamming(a: int, b: int) -> int:
    return (a ^ b).bit_count()


# --- evidence: the heat map and the changed regions ------------------------------------------

HEAT_FULL_SCALE = 0.6  # a local dissimilarity (1 - SSIM) of 0.6 is drawn fully hot
HEAT_MAX_OPACITY = 0.85


def dissimilarity(ssim_map: F32) -> F32:
    """Where the images differ, 0 (same) .. 1 (unrelated or inverted) per working pixel."""
    return f32(np.clip(1.0 - ssim_map, 0.0, 1.0))


def heatmap_png(base: U8, dissim: F32, covered: Mask | None = None) -> bytes:
    """The diff image: file1's luminance `base` with differences painted over it from blue to
    red, and the part file2 does not cover (feature mode) darkened. Encoded at working size with
    light compression: it is evidence, not an archive."""
    heat = np.clip(dissim * (255 / HEAT_FULL_SCALE), 0, 255).astype(np.uint8)
    colour = cv2.applyColorMap(heat, cv2.COLORMAP_JET)
    backdrop = u8(cv2.cvtColor(base, cv2.COLOR_GRAY2BGR))
    if covered is not None:
        backdrop[~covered] //= 3
    opacity = np.minimum(heat.astype(np.float32) * (1.5 / 255), HEAT_MAX_OPACITY)[:, :, None]
    blended = (backdrop * (1 - opacity) + colour * opacity).astype(np.uint8)
    # zlib level 1, run-length strategy, one fixed filter: under half the time of the default
    # (adaptive filters, full deflate) for a file no larger on these heat maps
    settings = [
        *(cv2.IMWRITE_PNG_COMPRESSION, 1),
        *(cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_AVG),
        *(cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE),
    ]
    ok, png = cv2.imencode(".png", blended, settings)
    if not ok:  # pragma: no cover - encoding an in-memory uint8 array does not fail
        raise RuntimeError("the diff image could not be encoded")
    return png.tobytes()


def changed_regions(
    dissim: F32, threshold: float, scale: tuple[float, float], limit: int = 10
) -> list[dict[str, float | int]]:
    """Bounding boxes of the largest connected areas whose dissimilarity exceeds `threshold`, in
    file1's pixel coordinates (`scale` maps working pixels to file1 pixels)."""
    mask = u8(dissim > threshold)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    # open: drop speckle from re-encoding noise and thin seams along the frame (outside the
    # picture counts as unchanged, or a seam touching the border would survive); close: join
    # the pieces of one change
    mask = u8(
        cv2.morphologyEx(
            mask, cv2.MORPH_OPEN, kernel, borderType=cv2.BORDER_CONSTANT, borderValue=0
        )
    )
    mask = u8(cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    min_area = max(4, int(0.001 * mask.size))  # ignore regions under 0.1% of the image
    components = [row for row in stats[1:count] if row[cv2.CC_STAT_AREA] >= min_area]
    components.sort(key=lambda row: int(row[cv2.CC_STAT_AREA]), reverse=True)
    return [_box(row, scale, mask.size) for row in components[:limit]]


def _box(
    row: npt.NDArray[np.int32], scale: tuple[float, float], total: int
) -> dict[str, float | int]:
    x, y, w, h = (int(v) for v in row[:4])
    return {
        "x": round(x * scale[0]),
        "y": round(y * scale[1]),
        "width": max(1, round(w * scale[0])),
        "height": max(1, round(h * scale[1])),
        "area_pct": round(100 * w * h / total, 2),
    }


def match_tones(reference: F32, image: F32, mask: Mask | None = None) -> F32:
    """`image` with its grey levels remapped so their histogram matches `reference`'s. This
    undoes any global monotonic tone change - a brightness shift, a contrast or gamma curve,
    evening light - so a relit copy then differs only where its structure differs."""
    ref = _levels(reference if mask is None else reference[mask])
    img = _levels(image if mask is None else image[mask])
    if ref.size == 0 or img.size == 0:
        return image
    ref_cdf = np.cumsum(np.bincount(ref.ravel(), minlength=256)) / ref.size
    img_cdf = np.cumsum(np.bincount(img.ravel(), minlength=256)) / img.size
    lut = np.interp(img_cdf, ref_cdf, np.arange(256)).astype(np.float32)
    return f32(cv2.LUT(_levels(image), lut))


def _levels(values: F32) -> U8:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def gray8(image: U8) -> U8:
    return u8(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
