"""The image calibration set: pairs that must answer `match: true` or `match: false` at the default
thresholds, made from photographs and textures that ship inside scikit-image's wheel.

Classes (pixel mode): JPEG down to quality 40, WebP, resized, a small watermark and brightness
±30% are the same picture; an object replacing 10% of the frame and unrelated photos are not.
Classes (feature mode): rotations up to ±15°, crops to 80%, brightness and colour shifts are the
same picture, for detailed photos and for low-texture scenes (sky, sand, water, fog) where ORB finds
few keypoints; unrelated photos, and unrelated scenes of the same kind, are not.

Used by tests/engines/test_image_calibration.py (a test per class, at the default threshold) and by
benchmarks/bench_calibration_image.py (min/median/max score per class).
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
from PIL import Image, ImageEnhance
from skimage import data

from tests.engines import media_images as media
from tests.engines.media_images import RGB

SCENE_SIZE = (640, 480)  # width, height of the made low-texture scenes
PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "hubble", "motorcycle")

# --- low-texture scenes: sky, sand, water, fog ------------------------------------------------
#
# Made from skimage's textures (grass, gravel, brick, moon) smoothed until little but soft shapes
# are left, over the colours of each kind of scene; the three textures give three different scenes
# of each kind, so "another sky" is a real question, not a blank frame against a blank frame.

TEXTURES: dict[str, Callable[[], np.ndarray]] = {
    "grass": data.grass,
    "gravel": data.gravel,
    "brick": data.brick,
    "moon": data.moon,
}
SCENE_KINDS = ("sky", "sand", "water", "fog")
SCENE_SOURCES = ("grass", "gravel", "moon")


@cache
def _smooth(texture: str, sigma: float, stretch: float = 1.0) -> np.ndarray:
    """A texture resized to the scene, optionally stretched sideways (ripples), blurred by
    `sigma` and normalised to 0..1."""
    width, height = SCENE_SIZE
    source = np.asarray(TEXTURES[texture](), np.float32)
    if stretch != 1.0:  # squeeze sideways, so that resizing back draws long horizontal shapes
        columns = max(8, round(source.shape[1] / stretch))
        source = cv2.resize(source, (columns, source.shape[0]), interpolation=cv2.INTER_AREA)
    resized = cv2.resize(source, (width, height), interpolation=cv2.INTER_CUBIC)
    blurred = cv2.GaussianBlur(resized, (0, 0), sigma)
    low, high = np.percentile(blurred, (1, 99))
    result = np.clip((blurred - low) / max(1e-6, high - low), 0, 1)
    result.setflags(write=False)
    return result


def _vertical(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> np.ndarray:
    width, height = SCENE_SIZE
    t = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    colours = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return np.repeat(colours, width, axis=1)


def _finish(image: np.ndarray) -> RGB:
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def sky(texture: str) -> RGB:
    """A blue gradient with soft white clouds."""
    base = _vertical((40, 90, 170), (170, 200, 230))
    clouds = np.clip((_smooth(texture, 14) - 0.45) * 2.2, 0, 1)[:, :, None] * 0.75
    return _finish(base * (1 - clouds) + 250 * clouds)


def sand(texture: str) -> RGB:
    """Beige sand: gentle dunes of light and shade, and a faint grain."""
    base = np.full((*SCENE_SIZE[::-1], 3), (212, 186, 140), np.float32)
    dunes = (_smooth(texture, 22) - 0.5)[:, :, None] * 46
    flip = {"grass": (0,), "gravel": (1,), "moon": (0, 1)}[texture]  # a different grain each
    grain = (np.flip(_smooth("gravel", 1.2), flip) - 0.5)[:, :, None] * 10
    return _finish(base + dunes + grain)


def water(texture: str) -> RGB:
    """Blue-green water with horizontal ripples, lighter towards the horizon."""
    base = _vertical((120, 170, 190), (25, 70, 100))
    ripples = (_smooth(texture, 2, stretch=8.0) - 0.5)[:, :, None] * 36
    return _finish(base + ripples)


FOG_SCENES = {"grass": "camera", "gravel": "coffee", "moon": "chelsea"}


def fog(texture: str) -> RGB:
    """A photographed scene behind thick fog: a quarter of its contrast over a pale grey haze."""
    width, height = SCENE_SIZE
    behind = FOG_SCENES[texture]
    scene = data.camera() if behind == "camera" else np.asarray(getattr(data, behind)())
    scene = np.asarray(scene, np.float32)
    if scene.ndim == 2:
        scene = np.repeat(scene[:, :, None], 3, axis=2)
    scene = cv2.resize(scene, (width, height), interpolation=cv2.INTER_AREA)
    hazy = 0.22 * scene + 0.78 * np.array((205, 208, 212), np.float32)
    return _finish(cv2.GaussianBlur(hazy, (0, 0), 2.0))


SCENES: dict[str, Callable[[str], RGB]] = {"sky": sky, "sand": sand, "water": water, "fog": fog}


@cache
def scene(kind: str, texture: str) -> RGB:
    image = SCENES[kind](texture)
    image.setflags(write=False)
    return image
