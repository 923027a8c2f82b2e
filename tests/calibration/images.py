"""The image calibration set: pairs that must answer `match: true` or `match: false` at the default
thresholds, made from photographs and textures that ship inside scikit-image's wheel.

Classes (pixel mode): JPEG down to quality 40, WebP, resized, a small watermark and brightness
±30% are the same picture; an object replacing 10% of the frame and unrelated photos are not.
Classes (feature mode): rotations up to ±15°, crops to 80%, brightness and colour shifts are the
same picture, for detailed photos and for low-texture scenes (sky, sand, water, fog) where ORB finds
few keypoints; unrelated photos, and unrelated scenes of the same kind, are not.

Every pair of every class is asserted at the default threshold by test_calibration.py, and scored by
benchmarks/bench_calibration.py (`--types images`), like the other media types' sets.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageEnhance
from skimage import data

from tests.calibration import Kind, Pair
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


# --- variants -----------------------------------------------------------------------------------


def brightness(image: RGB, factor: float) -> RGB:
    """Pillow's brightness enhancement: every channel scaled by `factor` (1.3 = +30%)."""
    return np.asarray(ImageEnhance.Brightness(Image.fromarray(image)).enhance(factor))


def warmer(image: RGB) -> RGB:
    """A colour shift: warmer white balance and 20% more saturation, as a phone filter does."""
    balanced = np.clip(image.astype(np.float32) * (1.08, 1.0, 0.86), 0, 255).astype(np.uint8)
    return np.asarray(ImageEnhance.Color(Image.fromarray(balanced)).enhance(1.2))


def replaced_object(image: RGB, other: RGB, share: float = 0.10) -> RGB:
    """A square from another photo over `share` of the frame, right of centre."""
    height, width = image.shape[:2]
    side = round((share * width * height) ** 0.5)
    return media.pasted(image, other, (width // 2, height // 4, side, side))


def off_centre_crop(image: RGB, fraction: float) -> RGB:
    """The top-left `fraction` of the picture (a crop that keeps one corner)."""
    height, width = image.shape[:2]
    return np.ascontiguousarray(image[: round(height * fraction), : round(width * fraction)])


# --- the classes ---------------------------------------------------------------------------------

Side = Callable[[], tuple[RGB, str, dict[str, object]]]  # the picture, its suffix, save options
Made = tuple[str, Side, Side]  # the pair's name, file1, file2


def png(make: Callable[[], RGB]) -> Side:
    return lambda: (make(), ".png", {})


def jpeg(make: Callable[[], RGB], quality: int) -> Side:
    return lambda: (make(), ".jpg", {"quality": quality})


def webp(make: Callable[[], RGB], quality: int) -> Side:
    return lambda: (make(), ".webp", {"quality": quality})


def photo(name: str) -> Callable[[], RGB]:
    return lambda: np.array(media.photo(name))


def a_scene(kind: str, texture: str) -> Callable[[], RGB]:
    return lambda: np.array(scene(kind, texture))


def _kind(mode: str, name: str, same: bool, pairs: Callable[[], list[Made]]) -> Kind:
    def make(folder: Path) -> list[Pair]:
        made = []
        for label, first, second in pairs():
            files = [
                _write(folder, f"{label}_{side}".replace(" ", "_"), make_side)
                for side, make_side in (("a", first), ("b", second))
            ]
            made.append(Pair(label, files[0], files[1]))
        return made

    return Kind("image", name, same, make, mode)


def _write(folder: Path, stem: str, side: Side) -> Path:
    image, suffix, options = side()
    path = folder / f"{stem}{suffix}"
    if not path.exists():  # the benchmark keeps its media between runs
        media.write(path, image, **options)
    return path


def _each_photo(variants: Callable[[str], list[Made]]) -> Callable[[], list[Made]]:
    return lambda: [made for name in PHOTOS for made in variants(name)]


def _next_photo(name: str) -> str:
    return PHOTOS[(PHOTOS.index(name) + 1) % len(PHOTOS)]


PIXEL_KINDS = [
    _kind(
        "pixel",
        "JPEG quality 70, 55, 40",
        True,
        _each_photo(
            lambda name: [
                (f"{name} q{q}", png(photo(name)), jpeg(photo(name), q)) for q in (70, 55, 40)
            ]
        ),
    ),
    _kind(
        "pixel",
        "WebP quality 80, 50",
        True,
        _each_photo(
            lambda name: [
                (f"{name} webp{q}", png(photo(name)), webp(photo(name), q)) for q in (80, 50)
            ]
        ),
    ),
    _kind(
        "pixel",
        "resized to 50%, 75%",
        True,
        _each_photo(
            lambda name: [
                (
                    f"{name} x{f}",
                    png(photo(name)),
                    png(lambda n=name, f=f: media.resized(photo(n)(), f)),
                )
                for f in (0.5, 0.75)
            ]
        ),
    ),
    _kind(
        "pixel",
        "small watermark",
        True,
        _each_photo(
            lambda name: [
                (
                    f"{name} watermark",
                    png(photo(name)),
                    png(lambda n=name: media.watermarked(photo(n)())),
                )
            ]
        ),
    ),
    _kind(
        "pixel",
        "brightness +30%, -30%",
        True,
        _each_photo(
            lambda name: [
                (
                    f"{name} brightness {f}",
                    png(photo(name)),
                    png(lambda n=name, f=f: brightness(photo(n)(), f)),
                )
                for f in (1.3, 0.7)
            ]
        ),
    ),
    _kind(
        "pixel",
        "an object replacing 10% of the frame",
        False,
        _each_photo(
            lambda name: [
                (
                    f"{name} object",
                    png(photo(name)),
                    png(lambda n=name: replaced_object(photo(n)(), photo(_next_photo(n))())),
                )
            ]
        ),
    ),
    _kind(
        "pixel",
        "another photo",
        False,
        lambda: [
            (f"{a} {b}", png(photo(a)), png(photo(b))) for a, b in itertools.combinations(PHOTOS, 2)
        ],
    ),
]


FEATURE_PHOTOS = ("astronaut", "coffee", "motorcycle", "rocket")
ROTATIONS = (-15, -10, -5, 5, 10, 15)
LOW_TEXTURE = [(kind, texture) for kind in SCENE_KINDS for texture in SCENE_SOURCES[:2]]


def _sources(low_texture: bool) -> list[tuple[str, Callable[[], RGB]]]:
    if low_texture:
        return [(f"{kind} {texture}", a_scene(kind, texture)) for kind, texture in LOW_TEXTURE]
    return [(name, photo(name)) for name in FEATURE_PHOTOS]


def _rotated(low_texture: bool) -> list[Made]:
    return [
        (
            f"{label} rotated {degrees}",
            png(source),
            png(lambda s=source, d=degrees: media.rotated(s(), d)),
        )
        for label, source in _sources(low_texture)
        for degrees in ROTATIONS
    ]


def _cropped(low_texture: bool) -> list[Made]:
    return [
        made
        for label, source in _sources(low_texture)
        for made in (
            (f"{label} centre 80%", png(source), png(lambda s=source: media.center_crop(s(), 0.8))),
            (f"{label} corner 80%", png(source), png(lambda s=source: off_centre_crop(s(), 0.8))),
        )
    ]


def _relit(low_texture: bool) -> list[Made]:
    return [
        made
        for label, source in _sources(low_texture)
        for made in (
            (f"{label} brightness 1.3", png(source), png(lambda s=source: brightness(s(), 1.3))),
            (f"{label} brightness 0.7", png(source), png(lambda s=source: brightness(s(), 0.7))),
            (f"{label} warmer", png(source), png(lambda s=source: warmer(s()))),
        )
    ]


def _other_scenes() -> list[Made]:
    return [
        (f"{kind} {a} {b}", png(a_scene(kind, a)), png(a_scene(kind, b)))
        for kind in SCENE_KINDS
        for a, b in itertools.combinations(SCENE_SOURCES, 2)
    ]


FEATURE_KINDS = [
    _kind("feature", "rotated ±5-15°", True, lambda: _rotated(False)),
    _kind("feature", "cropped to 80%", True, lambda: _cropped(False)),
    _kind("feature", "brightness ±30%, warmer colours", True, lambda: _relit(False)),
    _kind("feature", "low texture: rotated ±5-15°", True, lambda: _rotated(True)),
    _kind("feature", "low texture: cropped to 80%", True, lambda: _cropped(True)),
    _kind("feature", "low texture: brightness, colours", True, lambda: _relit(True)),
    _kind(
        "feature",
        "another photo",
        False,
        lambda: [
            (f"{a} {b}", png(photo(a)), png(photo(b)))
            for a, b in itertools.combinations(FEATURE_PHOTOS, 2)
        ],
    ),
    _kind("feature", "another sky, sand, water or fog", False, _other_scenes),
]

KINDS = PIXEL_KINDS + FEATURE_KINDS
