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

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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


# --- the pairs ----------------------------------------------------------------------------------

Side = Callable[[], tuple[RGB, str, dict[str, object]]]  # the picture, its suffix, save options


@dataclass(frozen=True)
class Pair:
    """One calibration pair: `same` is the decision expected at the default threshold."""

    mode: str  # "pixel" | "feature"
    kind: str  # the class: "jpeg_q40", "rotated", "unrelated_scenes", ...
    name: str  # unique and file-safe: "astronaut_q40"
    same: bool
    first: Side
    second: Side

    def write(self, folder: Path) -> tuple[Path, Path]:
        paths = []
        for side, (image, suffix, options) in (("a", self.first()), ("b", self.second())):
            path = folder / f"{self.mode}_{self.name}_{side}{suffix}"
            if not path.exists():
                media.write(path, image, **options)
            paths.append(path)
        return paths[0], paths[1]


def png(make: Callable[[], RGB]) -> Side:
    return lambda: (make(), ".png", {})


def jpeg(make: Callable[[], RGB], quality: int) -> Side:
    return lambda: (make(), ".jpg", {"quality": quality})


def webp(make: Callable[[], RGB], quality: int) -> Side:
    return lambda: (make(), ".webp", {"quality": quality})


def _photo(name: str) -> Callable[[], RGB]:
    return lambda: np.array(media.photo(name))


def _scene(kind: str, texture: str) -> Callable[[], RGB]:
    return lambda: np.array(scene(kind, texture))


def _unrelated_photo_pairs() -> Iterator[tuple[str, str]]:
    return itertools.combinations(PHOTOS, 2)


def pixel_pairs() -> list[Pair]:
    """Pixel mode: what a re-encode, a resize, a watermark or relighting does to a photo is the
    same picture; an object replacing 10% of it, or another photo, is not."""
    pairs: list[Pair] = []
    for name in PHOTOS:
        photo = _photo(name)
        other = _photo(PHOTOS[(PHOTOS.index(name) + 1) % len(PHOTOS)])
        for quality in (70, 55, 40):
            pairs.append(
                Pair(
                    "pixel",
                    "jpeg_q40",
                    f"{name}_q{quality}",
                    True,
                    png(photo),
                    jpeg(photo, quality),
                )
            )
        for quality in (80, 50):
            pairs.append(
                Pair(
                    "pixel", "webp", f"{name}_webp{quality}", True, png(photo), webp(photo, quality)
                )
            )
        for factor in (0.5, 0.75):
            pairs.append(
                Pair(
                    "pixel",
                    "resized",
                    f"{name}_x{factor}",
                    True,
                    png(photo),
                    png(lambda p=photo, f=factor: media.resized(p(), f)),
                )
            )
        pairs.append(
            Pair(
                "pixel",
                "watermark",
                f"{name}_watermark",
                True,
                png(photo),
                png(lambda p=photo: media.watermarked(p())),
            )
        )
        for factor in (1.3, 0.7):
            pairs.append(
                Pair(
                    "pixel",
                    "brightness_30pct",
                    f"{name}_bright{factor}",
                    True,
                    png(photo),
                    png(lambda p=photo, f=factor: brightness(p(), f)),
                )
            )
        pairs.append(
            Pair(
                "pixel",
                "object_10pct",
                f"{name}_object",
                False,
                png(photo),
                png(lambda p=photo, o=other: replaced_object(p(), o())),
            )
        )
    for first, second in _unrelated_photo_pairs():
        pairs.append(
            Pair(
                "pixel",
                "unrelated",
                f"{first}_{second}",
                False,
                png(_photo(first)),
                png(_photo(second)),
            )
        )
    return pairs


FEATURE_PHOTOS = ("astronaut", "coffee", "motorcycle", "rocket")
ROTATIONS = (-15, -10, -5, 5, 10, 15)


def _feature_variants(prefix: str, source: Callable[[], RGB]) -> Iterator[Pair]:
    for degrees in ROTATIONS:
        yield Pair(
            "feature",
            "rotated",
            f"{prefix}_rot{degrees}",
            True,
            png(source),
            png(lambda s=source, d=degrees: media.rotated(s(), d)),
        )
    yield Pair(
        "feature",
        "cropped_80pct",
        f"{prefix}_crop80",
        True,
        png(source),
        png(lambda s=source: media.center_crop(s(), 0.8)),
    )
    yield Pair(
        "feature",
        "cropped_80pct",
        f"{prefix}_corner80",
        True,
        png(source),
        png(lambda s=source: off_centre_crop(s(), 0.8)),
    )
    for factor in (1.3, 0.7):
        yield Pair(
            "feature",
            "brightness_colour",
            f"{prefix}_bright{factor}",
            True,
            png(source),
            png(lambda s=source, f=factor: brightness(s(), f)),
        )
    yield Pair(
        "feature",
        "brightness_colour",
        f"{prefix}_warmer",
        True,
        png(source),
        png(lambda s=source: warmer(s())),
    )


def feature_pairs() -> list[Pair]:
    """Feature mode: a turned, cropped, relit or recoloured copy is the same picture, whether a
    detailed photo or a low-texture scene; another photo or another scene of the same kind is
    not."""
    pairs: list[Pair] = []
    for name in FEATURE_PHOTOS:
        pairs.extend(_feature_variants(name, _photo(name)))
    for kind in SCENE_KINDS:
        for texture in SCENE_SOURCES[:2]:
            low = [
                replace_kind(pair, "low_texture_" + pair.kind)
                for pair in _feature_variants(f"{kind}_{texture}", _scene(kind, texture))
            ]
            pairs.extend(low)
    for first, second in itertools.combinations(FEATURE_PHOTOS, 2):
        pairs.append(
            Pair(
                "feature",
                "unrelated_photos",
                f"{first}_{second}",
                False,
                png(_photo(first)),
                png(_photo(second)),
            )
        )
    for kind in SCENE_KINDS:
        for first, second in itertools.combinations(SCENE_SOURCES, 2):
            pairs.append(
                Pair(
                    "feature",
                    "unrelated_scenes",
                    f"{kind}_{first}_{second}",
                    False,
                    png(_scene(kind, first)),
                    png(_scene(kind, second)),
                )
            )
    return pairs


def replace_kind(pair: Pair, kind: str) -> Pair:
    return Pair(pair.mode, kind, pair.name, pair.same, pair.first, pair.second)


def all_pairs() -> list[Pair]:
    return pixel_pairs() + feature_pairs()


def classes(pairs: list[Pair]) -> dict[tuple[str, str], list[Pair]]:
    grouped: dict[tuple[str, str], list[Pair]] = {}
    for pair in pairs:
        grouped.setdefault((pair.mode, pair.kind), []).append(pair)
    return grouped
