"""Files to pixels: sniffing, safe header checks (bombs and truncated files are refused before a
pixel is decoded) and decoding each file once, to 8-bit BGR composited on white and, for a file
with transparency, on black too (so a difference only in alpha is still a difference).

A file's fault raises `UnreadableFile`. Nothing here knows about modes or scores.
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
# A picture with transparency is composited on white and on black, two more full planes: half
# the pixels keep a pair of them under the 1 GB a comparison may use (measured: two 49 MP
# RGBA PNGs peaked at 1.3 GB, 8 bits a channel; two 25 MP 16-bit RGBA PNGs at 0.82 GB).
MAX_PIXELS_ALPHA = 25_000_000
MAX_SIDE = 20_000
TAIL_BYTES = 64 * 1024  # how much of a file's end the completeness check reads

PIL_FORMATS = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP", "gif": "GIF"}
ALPHA_MODES = {"RGBA", "LA", "PA", "RGBa", "La"}


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


def check_alpha_size(header: Header, label: str) -> None:
    if header.has_alpha and header.width * header.height > MAX_PIXELS_ALPHA:
        raise UnreadableFile(
            f"{label} has transparency and is {header.width}x{header.height} pixels; images with "
            f"transparency are accepted up to {MAX_PIXELS_ALPHA // 1_000_000} megapixels (opaque "
            f"ones up to {MAX_PIXELS // 1_000_000}). Resize it, or save it without transparency."
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
    check_alpha_size(header, label)
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
# compared smaller anyway is decoded at the reduced size, several times faster.
_REDUCED_JPEG = {
    2: cv2.IMREAD_REDUCED_COLOR_2,
    4: cv2.IMREAD_REDUCED_COLOR_4,
    8: cv2.IMREAD_REDUCED_COLOR_8,
}


@dataclass(frozen=True)
class Decoded:
    """A file's first frame as a viewer shows it: `on_white` is what a browser paints on a white
    page; `on_black` is the same over black, kept only for a file with transparency (None when
    opaque: then it equals `on_white`). Two pictures that agree on white but not on black differ
    only in alpha - transparent against opaque white - and that is a difference."""

    on_white: U8
    on_black: U8 | None = None

    @property
    def size(self) -> tuple[int, int]:
        return self.on_white.shape[1], self.on_white.shape[0]


def decode(data: bytes, header: Header, reduce: int, label: str) -> Decoded:
    """Decode a file exactly once, to 8-bit BGR (plus its alpha composites when it has alpha).

    Animated files (GIF, animated WebP/PNG) are compared by their first frame: it is what a
    still preview, a thumbnail and most tools show, and it keeps an image comparison an image
    comparison (use the video engine for motion). The frame counts are reported in metrics.
    """
    if header.format == "gif" or header.frames > 1:
        return _decode_with_pillow(data, label)
    return _decode_with_opencv(data, header, reduce, label)


def _decode_with_opencv(data: bytes, header: Header, reduce: int, label: str) -> Decoded:
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
    if image.dtype == np.uint16:  # to 8 bits at once, so the 16-bit planes are freed early
        image = cv2.convertScaleAbs(image, alpha=1 / 257)  # 65535 -> 255, rounded
    return _composited(image)


def _decode_with_pillow(data: bytes, label: str) -> Decoded:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)
            rgba = np.asarray(image.convert("RGBA"))
    except (OSError, EOFError, ValueError, SyntaxError) as error:
        raise UnreadableFile(
            f"{label} could not be decoded ({error}). It may be corrupt or truncated."
        ) from error
    return _composited(cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))


def _composited(decoded: object) -> Decoded:
    array = np.asarray(decoded)
    # 16-bit PNG: the top byte is what a screen shows
    image = u8(array >> 8) if array.dtype == np.uint16 else u8(array)
    if image.ndim == 2:
        return Decoded(u8(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)))
    if image.shape[2] == 4:
        return composite(image)
    return Decoded(image)


def composite(bgra: U8) -> Decoded:
    """Composite on white and on black. A picture whose alpha is 255 everywhere is opaque: no
    second plane. uint8 arithmetic in OpenCV (rounded, saturated) keeps memory at a few planes
    instead of float copies."""
    alpha_plane = bgra[:, :, 3]
    if int(alpha_plane.min()) == 255:
        return Decoded(np.ascontiguousarray(bgra[:, :, :3]))
    alpha = cv2.merge([alpha_plane] * 3)
    on_black = u8(cv2.multiply(bgra[:, :, :3], alpha, scale=1 / 255))
    return Decoded(u8(cv2.add(on_black, cv2.bitwise_not(alpha))), on_black)


def jpeg_reduction(size: tuple[int, int], target: tuple[int, int]) -> int:
    """The largest DCT scale (1, 2, 4, 8) that still decodes at least the target size."""
    ratio = min(size[0] / target[0], size[1] / target[1])
    return max((r for r in (1, 2, 4, 8) if r <= ratio), default=1)


def is_lossy(data: bytes, header: Header) -> bool:
    """Whether the file's pixels went through a lossy step: JPEG, lossy WebP (a "VP8 " chunk, as
    opposed to lossless "VP8L"), or GIF's 256-colour palette (a photo saved as GIF is dithered)."""
    if header.format in ("jpeg", "gif"):
        return True
    if header.format == "webp":
        return _webp_chunk(data, b"VP8 ")
    return False


def _webp_chunk(data: bytes, wanted: bytes) -> bool:
    offset = 12  # RIFF, size, WEBP
    while offset + 8 <= len(data):
        name = data[offset : offset + 4]
        if name == wanted:
            return True
        size = int.from_bytes(data[offset + 4 : offset + 8], "little")
        offset += 8 + size + (size & 1)  # chunks are padded to an even length
    return False


@dataclass(frozen=True)
class Picture:
    """One file: its bytes, its header, and its pixels decoded once (possibly at a reduced size
    for a big JPEG, never below what the comparison needs)."""

    data: bytes
    header: Header
    pixels: Decoded
    lossy: bool

    @property
    def size(self) -> tuple[int, int]:
        """The file's own size (as displayed: EXIF rotation applied)."""
        return self.header.width, self.header.height

    def describe(self, suffix: str) -> dict[str, object]:
        return {
            f"width_{suffix}": self.header.width,
            f"height_{suffix}": self.header.height,
            f"format_{suffix}": self.header.format,
            f"frames_{suffix}": self.header.frames,
        }


def load(data: bytes, header: Header, target: tuple[int, int], label: str) -> Picture:
    """Decode a checked file once, at no less than `target` (width, height)."""
    reduce = jpeg_reduction((header.width, header.height), target)
    return Picture(data, header, decode(data, header, reduce, label), is_lossy(data, header))
