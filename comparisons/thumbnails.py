"""Small previews of the two images of a comparison, for the History page. Made on first request
from the stored original and kept beside it, so they outlive the inputs' retention period once
made (the upload purge makes any that are missing before it deletes the inputs)."""

from __future__ import annotations

import io
import logging

from PIL import Image, UnidentifiedImageError

from comparisons import storage
from comparisons.errors import StorageUnavailable
from comparisons.models import Comparison

log = logging.getLogger(__name__)

SIZE = (160, 120)  # twice the size shown, for sharp previews on high-density screens
SLOTS = ("a", "b")


class NoThumbnail(Exception):
    """This comparison has no preview for that slot: not an image, or its file is gone."""


def _name(comparison: Comparison, slot: str) -> str:
    return f"comparisons/{comparison.id}/thumb-{slot}.png"


def thumbnail_png(*, comparison: Comparison, slot: str) -> bytes:
    """The preview of input `slot` ("a" or "b") as PNG bytes, made and stored if missing."""
    if comparison.media_type != "image" or slot not in SLOTS:
        raise NoThumbnail()
    try:
        return storage.read(name=_name(comparison, slot))
    except FileNotFoundError:
        pass
    data = _render(_original(comparison, slot))
    storage.artifact_save(comparison_id=comparison.id, name=f"thumb-{slot}.png", data=data)
    return data


def thumbnails_make(*, comparison: Comparison) -> None:
    """Make both previews now (before the originals are purged); failures are only logged."""
    for slot in SLOTS:
        try:
            thumbnail_png(comparison=comparison, slot=slot)
        except (NoThumbnail, StorageUnavailable):
            log.info("no thumbnail %s for comparison %s", slot, comparison.id)


def _original(comparison: Comparison, slot: str) -> bytes:
    name = comparison.file_a if slot == "a" else comparison.file_b
    if not name or comparison.files_purged_at is not None:
        raise NoThumbnail()
    try:
        return storage.read(name=name)
    except FileNotFoundError:
        raise NoThumbnail() from None


def _render(data: bytes) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.seek(0)  # the first frame of an animation
            image.draft("RGB", (SIZE[0] * 2, SIZE[1] * 2))  # JPEG: decode at a reduced scale
            preview = image.convert("RGBA")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError):
        raise NoThumbnail() from None
    preview.thumbnail(SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    preview.save(out, format="PNG", optimize=True)
    return out.getvalue()
