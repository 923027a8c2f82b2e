"""The engine registry: one line per media type, holding every fact about the type that the rest
of DiffALL needs (its modes and default thresholds, whether it runs as a job, its upload caps,
how messages name it). Services, serializers, the OpenAPI schema, detection and templates read the
facts here; engines are imported on first use only, so knowing a threshold never costs the web
process the video or audio libraries."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import cast

from comparisons.engines.base import (
    DIFF_IMAGE,
    Artifact,
    Engine,
    EngineError,
    MediaInfo,
    Options,
    Progress,
    Result,
    TransientEngineError,
    UnreadableFile,
    no_progress,
)

# (the first bytes of a file) -> its format ("stl", ...), or None when it is not of this type
Sniff = Callable[[bytes], str | None]


@dataclass(frozen=True)
class Mode:
    """One way of comparing a media type. A type compared one way only has one mode named ""."""

    name: str
    threshold: float  # the default `match` threshold (match = similarity >= threshold)
    summary: str = ""  # what it measures, for the API's documentation and the website


@dataclass(frozen=True)
class MediaSpec:
    name: str  # the API's `type`
    engine: str  # "module:attribute" of the engine instance, imported on first use
    noun: str  # how messages name such files: "images", "subtitles"
    formats: tuple[str, ...]  # the formats it reads, as messages name them
    modes: tuple[Mode, ...]  # the first is the default
    runs_async: bool = False  # a Celery job (202, then polling) rather than an answer at once
    timed: bool = False  # has a duration, capped at MAX_MEDIA_SECONDS
    text: bool = False  # capped at MAX_TEXT_UPLOAD_MB instead of MAX_UPLOAD_MB
    ignores_regions: bool = False  # takes `ignore_regions`, rectangles of file1 left out
    # "module:function" (a `Sniff`) that recognises this type's files before comparisons.detect's
    # own rules; the five types below are recognised by those rules.
    sniff: str = ""

    @property
    def default_mode(self) -> str:
        return self.modes[0].name

    @property
    def mode_names(self) -> tuple[str, ...]:
        """The modes a request may name (none for a type compared one way only)."""
        return tuple(mode.name for mode in self.modes if mode.name)

    def threshold(self, mode: str) -> float:
        """The default threshold of `mode` ("" or an unknown mode: the default mode's)."""
        return next((m.threshold for m in self.modes if m.name == mode), self.modes[0].threshold)


# The thresholds are calibrated on the engines' test media: near-duplicates score above them,
# edited or unrelated files below.
REGISTRY: dict[str, MediaSpec] = {
    spec.name: spec
    for spec in (
        MediaSpec(
            "image", "comparisons.engines.image:engine", "images", ("JPG", "PNG", "WebP", "GIF"),
            modes=(
                Mode("pixel", 85.0, "colour per pixel, SSIM/PSNR/MSE"),
                Mode("feature", 80.0, "keypoints; tolerates rotation, crops and lighting"),
            ),
            ignores_regions=True,
        ),
        MediaSpec(
            "video", "comparisons.engines.video:engine", "video", ("MP4", "AVI", "MOV", "MKV"),
            modes=(Mode("", 85.0),), runs_async=True, timed=True,
        ),
        MediaSpec(
            "audio", "comparisons.engines.audio:engine", "audio", ("MP3", "WAV", "FLAC", "AAC"),
            modes=(Mode("", 80.0),), runs_async=True, timed=True,
        ),
        MediaSpec(
            "subtitle", "comparisons.engines.subtitle:engine", "subtitles", ("SRT", "VTT"),
            modes=(Mode("", 85.0),), text=True,
        ),
        MediaSpec(
            "text", "comparisons.engines.text:engine", "text",
            ("plain text", "JSON", "CSV", "XML"), modes=(Mode("", 90.0),), text=True,
        ),
    )
}  # fmt: skip
MEDIA_TYPES = tuple(REGISTRY)


def spec_of(media_type: str) -> MediaSpec:
    return REGISTRY[media_type]


def _load(target: str) -> object:
    module_name, attribute = target.split(":")
    return getattr(importlib.import_module(module_name), attribute)


@cache
def get_engine(media_type: str) -> Engine:
    return cast(Engine, _load(REGISTRY[media_type].engine))


@cache
def sniffers() -> tuple[tuple[str, Sniff], ...]:
    """(media type, sniff) of every type that recognises its own files."""
    found: list[tuple[str, Sniff]] = []
    for spec in REGISTRY.values():
        if spec.sniff:
            found.append((spec.name, cast(Sniff, _load(spec.sniff))))
    return tuple(found)


def warm_up(media_types: Iterable[str] = MEDIA_TYPES) -> None:
    """Import the engines of `media_types` (all by default) and let each run its own warm-up
    (e.g. numba compilation) once: a Celery worker warms them all, a web worker the types it
    answers at once (diffall/gunicorn.conf.py)."""
    for media_type in media_types:
        warm = getattr(get_engine(media_type), "warm_up", None)
        if callable(warm):
            warm()


__all__ = [
    "DIFF_IMAGE",
    "MEDIA_TYPES",
    "REGISTRY",
    "Artifact",
    "Engine",
    "EngineError",
    "MediaInfo",
    "MediaSpec",
    "Mode",
    "Options",
    "Progress",
    "Result",
    "Sniff",
    "TransientEngineError",
    "UnreadableFile",
    "get_engine",
    "no_progress",
    "sniffers",
    "spec_of",
    "warm_up",
]
