"""The engine registry: one line per media type. Engines are imported on first use, so the web
process never pays for video or audio libraries it does not need."""

from __future__ import annotations

import importlib
from functools import cache

from comparisons.engines.base import (
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

# media type -> "module:attribute" of its engine instance
REGISTRY: dict[str, str] = {
    "image": "comparisons.engines.image:engine",
    "video": "comparisons.engines.video:engine",
    "audio": "comparisons.engines.audio:engine",
    "subtitle": "comparisons.engines.subtitle:engine",
    "text": "comparisons.engines.text:engine",
}
MEDIA_TYPES = tuple(REGISTRY)


@cache
def get_engine(media_type: str) -> Engine:
    module_name, attribute = REGISTRY[media_type].split(":")
    engine: Engine = getattr(importlib.import_module(module_name), attribute)
    return engine


def runs_async(media_type: str) -> bool:
    return get_engine(media_type).runs_async


def warm_up() -> None:
    """Import every engine and let each run its own warm-up (e.g. numba compilation) once."""
    for media_type in MEDIA_TYPES:
        warm = getattr(get_engine(media_type), "warm_up", None)
        if callable(warm):
            warm()


__all__ = [
    "MEDIA_TYPES",
    "REGISTRY",
    "Artifact",
    "Engine",
    "EngineError",
    "MediaInfo",
    "Options",
    "Progress",
    "Result",
    "TransientEngineError",
    "UnreadableFile",
    "get_engine",
    "no_progress",
    "runs_async",
    "warm_up",
]
