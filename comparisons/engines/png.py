"""A PNG writer for diff images that must be encoded in a millisecond or two: it lays the rows
out with numpy and compresses them with ISA-L's deflate (the `isal` package), about 5x faster than
zlib's fastest level (a 1920x1080 palette diff: 1.4 ms instead of 6 ms through Pillow here, ~100 KB
instead of ~75 KB). Rows are unfiltered: a diff image is long runs of a few colours, which
deflate finds without a filter's help."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import numpy.typing as npt
from isal import isal_zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"
PALETTE_COLOUR = 3  # PNG colour type: one byte a pixel indexes the PLTE chunk
LEVEL = 1  # ISA-L's levels are 0-3; 1 compresses these images best for its time


def palette_png(index: npt.NDArray[np.uint8], palette: list[int]) -> bytes:
    """An 8-bit palette PNG of `index` (height x width), `palette` = [r, g, b, r, g, b, ...]."""
    if index.ndim != 2 or index.dtype != np.uint8:
        raise ValueError("palette_png takes a 2-D uint8 array of palette indices")
    if not 0 < len(palette) <= 3 * 256 or len(palette) % 3:
        raise ValueError("a palette holds 1 to 256 RGB colours")
    height, width = index.shape
    rows = np.empty((height, width + 1), np.uint8)
    rows[:, 0] = 0  # filter type None, on every row
    rows[:, 1:] = index
    header = struct.pack(">IIBBBBB", width, height, 8, PALETTE_COLOUR, 0, 0, 0)
    return b"".join(
        (
            SIGNATURE,
            _chunk(b"IHDR", header),
            _chunk(b"PLTE", bytes(palette)),
            _chunk(b"IDAT", isal_zlib.compress(rows.data, LEVEL)),
            _chunk(b"IEND", b""),
        )
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
