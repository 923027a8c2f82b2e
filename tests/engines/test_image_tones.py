"""Tone matching (feature and pixel mode's relit-copy check): file2's grey levels remapped so
their histogram matches file1's. A photo whose brightest level is below white must keep it."""

from __future__ import annotations

import cv2
import numpy as np
from skimage import data as photos

from comparisons.engines.image.metrics import match_tones


def _dim_photo() -> np.ndarray:
    """A real photo in grey whose brightest level is ~200, as a dim or evening picture is."""
    grey = cv2.cvtColor(photos.chelsea(), cv2.COLOR_RGB2GRAY).astype(np.float32)
    return np.rint(grey * (200.0 / float(grey.max()))).astype(np.float32)


def test_a_picture_matched_to_itself_is_unchanged():
    photo = _dim_photo()
    assert photo.max() < 255
    # before the fix its brightest levels were sent to 255 (a 55-level error on this photo)
    assert np.array_equal(match_tones(photo, photo.copy()), photo)


def test_a_relit_copy_is_brought_back_to_the_original_tones():
    photo = _dim_photo()
    relit = np.clip(255.0 * (photo / 255.0) ** 0.7 + 10.0, 0, 255).astype(np.float32)
    back = match_tones(photo, relit)
    error = np.abs(back - photo)
    assert float(error.mean()) < 1.0 and float(error.max()) <= 3.0, (error.mean(), error.max())
    assert float(back.max()) == float(photo.max())
