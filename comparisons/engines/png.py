"""A PNG writer for diff images that must be encoded in a millisecond or two: it lays the rows
out with numpy and compresses them with ISA-L's deflate (the `isal` package), about 5x faster than
zlib's fastest level (a 1920x1080 palette diff: 1.4 ms instead of 6 ms through Pillow here, ~100 KB
instead of ~75 KB; the audio engine's 1200x324 waveforms: ~1 ms instead of 6 through OpenCV).
Rows are unfiltered: a diff image is long runs of a few colours, which deflate finds without a
filter's help."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import numpy.typing as npt
from isal import isal_zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
TRUE_COLOUR = 2  # PNG colour types: three bytes a pixel (R, G, B)...
PALETTE_COLOUR = 3  # ...or one byte a pixel, an index into the PLTE chunk
LEVEL = 1  # ISA-L's levels are 0-3; 1 compresses these images best for its time


def palette_png(index: npt.NDArray[np.uint8], palette: list[int]) -> bytes:
    """An 8-bit palette PNG of `index` (height x width), `palette` = [r, g, b, r, g, b, ...]."""
    if index.ndim != 2 or index.dtype != np.uint8:
        raise ValueError("palette_png takes a 2-D uint8 array of palette indices")
    if not 0 < len(palette) <= 3 * 256 or len(palette) % 3:
        raise ValueError("a palette holds 1 to 256 RGB colours")
    return _png(index, PALETTE_COLOUR, _chunk(b"PLTE", bytes(palette)))


def bgr_png(image: npt.NDArray[np.uint8]) -> bytes:
    """A true-colour PNG of an OpenCV image (height x width x 3, blue first)."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError("bgr_png takes a height x width x 3 uint8 array (OpenCV's BGR)")
    return _png(image[:, :, ::-1], TRUE_COLOUR)


def _png(pixels: npt.NDArray[np.uint8], colour_type: int, *extra: bytes) -> bytes:
    height, width = pixels.shape[:2]
    row_bytes = pixels[0].size
    rows = np.empty((height, row_bytes + 1), np.uint8)
    rows[:, 0] = 0  # filter type None, on every row
    rows[:, 1:] = pixels.reshape(height, row_bytes)
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"".join(
        (
            SIGNATURE,
            _chunk(b"IHDR", header),
            *extra,
            _chunk(b"IDAT", isal_zlib.compress(rows.data, LEVEL)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
