"""Real test images: photographs that ship inside scikit-image's wheel, and the variants a user
meets in practice (re-encoded, resized, watermarked, brightened, edited, rotated, cropped, relit),
written to disk as PNG, JPEG, WebP or GIF with OpenCV and Pillow.

Arrays are RGB uint8 (Pillow's order); writers take care of the file format.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFont
from skimage import data

RGB = npt.NDArray[np.uint8]


def _motorcycle() -> RGB:
    return np.asarray(data.stereo_motorcycle()[0])


# Photographs bundled in the skimage wheel (no download): people, animals, objects, space, a
# street scene, a medical image.
PHOTOS: dict[str, Callable[[], RGB]] = {
    "astronaut": data.astronaut,
    "chelsea": data.chelsea,
    "coffee": data.coffee,
    "rocket": data.rocket,
    "hubble": data.hubble_deep_field,
    "motorcycle": _motorcycle,
    "retina": data.retina,
    "ihc": data.immunohistochemistry,
}


@cache
def photo(name: str) -> RGB:
    image = np.ascontiguousarray(PHOTOS[name]())
    image.setflags(write=False)  # cached: variants must copy, never edit in place
    return image


def photo_at(name: str, size: tuple[int, int]) -> RGB:
    """A photo resized (and centre-cropped to the aspect) to `size` = (width, height)."""
    image = photo(name)
    height, width = image.shape[:2]
    target_w, target_h = size
    scale = max(target_w / width, target_h / height)
    resized = cv2.resize(image, (round(width * scale), round(height * scale)), cv2.INTER_CUBIC)
    top = (resized.shape[0] - target_h) // 2
    left = (resized.shape[1] - target_w) // 2
    return np.ascontiguousarray(resized[top : top + target_h, left : left + target_w])


# --- writers ----------------------------------------------------------------------------------


def write(path: Path, image: RGB, **save_options: object) -> Path:
    """Write with Pillow; the format comes from the suffix (.png .jpg .webp .gif). PNGs are
    lightly compressed: the pixels are the same and the tests run faster."""
    if path.suffix == ".png":
        save_options.setdefault("compress_level", 1)
    Image.fromarray(image).save(path, **save_options)
    return path


def write_jpeg(path: Path, image: RGB, quality: int = 90) -> Path:
    return write(path, image, quality=quality)


def write_animated_gif(path: Path, frames: list[RGB], duration_ms: int = 100) -> Path:
    pictures = [
        Image.fromarray(frame).convert("P", palette=Image.Palette.ADAPTIVE) for frame in frames
    ]
    pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=duration_ms, loop=0)
    return path


def write_transparent(path: Path, image: RGB, border: int = 40) -> Path:
    """The photo with a fully transparent frame and a half-transparent band, as PNG or lossless
    WebP: what a cut-out product shot or a sticker looks like."""
    alpha = np.full(image.shape[:2], 255, np.uint8)
    alpha[:border, :] = alpha[-border:, :] = alpha[:, :border] = alpha[:, -border:] = 0
    alpha[border : 2 * border, border:-border] = 128
    options = {"lossless": True} if path.suffix == ".webp" else {}
    Image.fromarray(np.dstack([image, alpha]), "RGBA").save(path, **options)
    return path


# --- variants ---------------------------------------------------------------------------------


def resized(image: RGB, factor: float) -> RGB:
    height, width = image.shape[:2]
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def brightened(image: RGB, delta: int) -> RGB:
    return np.clip(image.astype(np.int16) + delta, 0, 255).astype(np.uint8)


def relit(image: RGB) -> RGB:
    """A lighting change: darker, lower contrast, gamma-curved (evening light, a cheap scan)."""
    normalised = image.astype(np.float32) / 255
    return np.clip(255 * (0.15 + 0.7 * normalised**1.4), 0, 255).astype(np.uint8)


def watermarked(image: RGB, text: str = "(c) DiffALL 2026") -> RGB:
    """Small semi-opaque text in the bottom-right corner, as stock sites and re-posters do."""
    picture = Image.fromarray(image).convert("RGBA")
    layer = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(10, picture.height // 22)
    font = ImageFont.load_default(size=size)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    x = picture.width - (right - left) - size
    y = picture.height - (bottom - top) - size
    draw.text((x, y), text, font=font, fill=(255, 255, 255, 200))
    return np.asarray(Image.alpha_composite(picture, layer).convert("RGB"))


def pasted(image: RGB, patch: RGB, box: tuple[int, int, int, int]) -> RGB:
    """`patch` resized into `box` = (x, y, width, height): an object pasted over the photo."""
    x, y, width, height = box
    edited = image.copy()
    edited[y : y + height, x : x + width] = cv2.resize(patch, (width, height), cv2.INTER_AREA)
    return edited


def rotated(image: RGB, degrees: float) -> RGB:
    """Rotated about the centre on a canvas large enough to keep every pixel (black corners)."""
    if degrees % 90 == 0:
        return np.ascontiguousarray(np.rot90(image, k=int(degrees // 90) % 4))
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(height * sin + width * cos), int(height * cos + width * sin)
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    return cv2.warpAffine(image, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR)


def center_crop(image: RGB, fraction: float) -> RGB:
    height, width = image.shape[:2]
    crop_h, crop_w = round(height * fraction), round(width * fraction)
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    return np.ascontiguousarray(image[top : top + crop_h, left : left + crop_w])


# --- broken files -----------------------------------------------------------------------------


def truncated_copy(source: Path, target: Path, keep: float = 0.6) -> Path:
    content = source.read_bytes()
    target.write_bytes(content[: int(len(content) * keep)])
    return target


def png_claiming_size(path: Path, width: int, height: int) -> Path:
    """A small valid PNG whose IHDR is patched to claim `width` x `height` (CRC fixed, so only
    the size is a lie): the classic decompression bomb header."""
    write(path, np.zeros((8, 8, 3), np.uint8))
    content = bytearray(path.read_bytes())
    # signature (8) + chunk length (4); IHDR type at 12..16, width/height at 16..24, CRC at 29..33
    content[16:24] = struct.pack(">II", width, height)
    content[29:33] = struct.pack(">I", zlib.crc32(bytes(content[12:29])))
    path.write_bytes(bytes(content))
    return path


# --- screenshots ------------------------------------------------------------------------------
#
# What visual-regression tools compare: a web page rendered to pixels. Drawn with Pillow's own
# font (anti-aliased, as a browser renders text) so that an edit is a few words, a recoloured
# button or a panel, and everything else is pixel-identical.

PAGE_TEXT = (
    "DiffALL compares two files of the same type and shows what differs.",
    "Upload an image, a video, a recording, subtitles or a text file.",
    "Every comparison answers with a score, a verdict and the evidence.",
    "Images are compared pixel by pixel, in colour, at full resolution.",
    "Changed regions are outlined; anti-aliasing and noise are tolerated.",
    "The API answers in JSON; the website draws the same answer.",
    "Credits: ten free comparisons a day, more for five dollars.",
    "Questions? Write to support and a person will answer you.",
)


def screenshot(
    lines: tuple[str, ...] = PAGE_TEXT,
    *,
    size: tuple[int, int] = (1280, 800),
    button: tuple[int, int, int] = (37, 99, 235),
    sidebar: tuple[int, int, int] = (241, 243, 246),
) -> RGB:
    """A page: a header bar, a sidebar with links, paragraphs of text and a button."""
    width, height = size
    page = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(page)
    font, small = ImageFont.load_default(size=20), ImageFont.load_default(size=16)
    draw.rectangle((0, 0, width, 56), fill=(17, 24, 39))
    draw.text((24, 16), "DiffALL", font=font, fill=(255, 255, 255))
    draw.rectangle((0, 56, 220, height), fill=sidebar)
    for row, link in enumerate(("Compare", "History", "API keys", "Billing", "Help")):
        draw.text((24, 84 + 36 * row), link, font=small, fill=(55, 65, 81))
    for row, line in enumerate(lines):
        draw.text((252, 88 + 34 * row), line, font=small, fill=(31, 41, 55))
    top = 88 + 34 * len(lines) + 24
    draw.rounded_rectangle((252, top, 412, top + 44), radius=8, fill=button)
    draw.text((276, top + 12), "Compare now", font=small, fill=(255, 255, 255))
    return np.asarray(page)


def with_words(lines: tuple[str, ...], edits: int) -> tuple[str, ...]:
    """The page text with `edits` words replaced (one per line, from the top)."""
    changed = list(lines)
    for row in range(edits):
        words = changed[row % len(changed)].split()
        index = (row // len(changed)) * 2 + 1
        words[index] = words[index].upper()
        changed[row % len(changed)] = " ".join(words)
    return tuple(changed)


def same_luminance(
    colour: tuple[int, int, int], hue_of: tuple[int, int, int]
) -> tuple[int, int, int]:
    """A colour of the hue of `hue_of` with the luminance (Rec. 601 luma) of `colour`: the
    scaled `hue_of` whose luma matches, so only hue and saturation differ."""

    def luma(rgb: tuple[float, float, float]) -> float:
        return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]

    scale = luma(tuple(map(float, colour))) / luma(tuple(map(float, hue_of)))
    scaled = [min(255, round(channel * scale)) for channel in hue_of]
    return scaled[0], scaled[1], scaled[2]
