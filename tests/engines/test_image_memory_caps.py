"""Images with transparency keep a comparison under 1 GB: they are capped at 25 MP (opaque ones
at 50 MP), refused from the header before anything is decoded; 16-bit files come down to 8 bits
as they are decoded."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from comparisons.engines import Options, UnreadableFile, no_progress
from comparisons.engines.image import engine
from comparisons.engines.image.decode import MAX_PIXELS_ALPHA


def test_it_refuses_a_picture_with_transparency_over_25_megapixels(tmp_path: Path) -> None:
    width, height = 6000, MAX_PIXELS_ALPHA // 6000 + 1
    path = tmp_path / "big.png"
    cv2.imwrite(str(path), np.zeros((height, width, 4), np.uint8))
    with pytest.raises(UnreadableFile, match=r"transparency .* up to 25 megapixels"):
        engine.probe(path)


def test_it_accepts_the_same_size_when_opaque(tmp_path: Path) -> None:
    width, height = 6000, MAX_PIXELS_ALPHA // 6000 + 1
    path = tmp_path / "big.png"
    cv2.imwrite(str(path), np.zeros((height, width, 3), np.uint8))
    assert engine.probe(path).width == width


def test_a_16_bit_picture_with_transparency_reads_as_its_8_bit_twin(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    eight = rng.integers(0, 256, (120, 160, 4), dtype=np.uint8)
    eight[..., 3] = 255
    eight[:40, :40, 3] = 128
    sixteen = eight.astype(np.uint16) * 257  # the exact 16-bit spelling of each 8-bit value
    cv2.imwrite(str(tmp_path / "8.png"), eight)
    cv2.imwrite(str(tmp_path / "16.png"), sixteen)
    result = engine.compare(tmp_path / "8.png", tmp_path / "16.png", Options(), no_progress)
    assert result.identical and result.similarity == 100.0
