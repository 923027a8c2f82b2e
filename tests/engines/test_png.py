"""The diff images' PNG writer: what it writes decodes, with Pillow and OpenCV, to exactly the
pixels and colours it was given."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from comparisons.engines.png import bgr_png, palette_png


def test_it_writes_a_palette_png_that_decodes_to_the_same_pixels() -> None:
    rng = np.random.default_rng(7)
    index = rng.integers(0, 5, (37, 53), dtype=np.uint8)  # odd sizes: no row padding assumed
    index[10:20, :] = 4  # and runs, as a diff image has
    palette = [0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255]
    png = palette_png(index, palette)
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.mode == "P" and picture.size == (53, 37)
        assert np.array_equal(np.asarray(picture), index)
        assert picture.getpalette()[: len(palette)] == palette
    bgr = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    colours = np.array(palette, np.uint8).reshape(-1, 3)[:, ::-1]
    assert np.array_equal(bgr, colours[index])


@pytest.mark.parametrize(
    ("index", "palette"),
    [
        (np.zeros((4, 4, 3), np.uint8), [0, 0, 0]),  # not one index per pixel
        (np.zeros((4, 4), np.uint16), [0, 0, 0]),
        (np.zeros((4, 4), np.uint8), [0, 0]),  # not whole colours
        (np.zeros((4, 4), np.uint8), [0, 0, 0] * 257),  # more than 256 colours
    ],
)
def test_it_refuses_what_is_not_a_palette_image(index: np.ndarray, palette: list[int]) -> None:
    with pytest.raises(ValueError, match="palette"):
        palette_png(index, palette)


def test_it_writes_a_true_colour_png_of_an_opencv_image() -> None:
    rng = np.random.default_rng(3)
    bgr = rng.integers(0, 256, (29, 41, 3), dtype=np.uint8)
    bgr[5:15] = (255, 0, 0)  # blue, in OpenCV's order
    png = bgr_png(bgr)
    assert np.array_equal(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR), bgr)
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.mode == "RGB" and picture.getpixel((0, 10)) == (0, 0, 255)
    with pytest.raises(ValueError, match="BGR"):
        bgr_png(bgr[:, :, 0])
