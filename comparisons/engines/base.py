"""The engine contract. Engines are pure functions of two local files: no ORM, no storage, no
settings, no network. They raise `UnreadableFile` when a file is at fault (422, never retried) and
`TransientEngineError` when trying again may help."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

Progress = Callable[[float], None]  # called with 0..100 as work advances


def no_progress(_: float) -> None:
    """The progress callback for callers that do not report progress."""


@dataclass(frozen=True)
class MediaInfo:
    """What a cheap probe learns about a file."""

    media_type: str  # "image" | "video" | "audio" | "subtitle" | "text"
    format: str  # "png", "jpeg", "mp4", "mp3", "srt", "vtt", "json", "csv", "xml", "plain", ...
    duration_s: float | None = None
    width: int | None = None
    height: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Options:
    mode: str = ""  # one of the media type's modes (see the registry); "" = its default
    # images: (x, y, width, height) boxes in file1's pixels masked out of score and changes
    # (the API validates them: comparisons/ignore_regions.py)
    ignore_regions: tuple[tuple[int, int, int, int], ...] = ()


# The artifact an engine draws of where the files differ: what the API's diff_url serves.
DIFF_IMAGE = "diff.png"


@dataclass(frozen=True)
class Artifact:
    """A file the comparison produced, e.g. the diff image. Stored by the caller."""

    name: str  # "diff.png"
    content_type: str  # "image/png"
    data: bytes


@dataclass
class Result:
    similarity: float  # 0..100, higher = more similar
    metrics: dict[str, Any] = field(default_factory=dict)  # every sub-score computed, JSON-able
    segments: list[dict[str, Any]] = field(default_factory=list)  # matched time ranges (seconds)
    # every change in the one shape of engines/changes.py (docs/change-model.md)
    changes: list[dict[str, Any]] = field(default_factory=list)
    artifacts: list[Artifact] = field(default_factory=list)
    # True only when nothing was found beyond encoding noise; None = the engine has not decided
    # yet (then callers derive it from `changes`)
    identical: bool | None = None
    summary: str = ""  # one sentence built from the changes, e.g. "1 region changed, 2.7% of ..."

    def __post_init__(self) -> None:
        self.similarity = round(min(100.0, max(0.0, float(self.similarity))), 1)


class EngineError(Exception):
    """Base of the errors engines raise. `detail` is written for the user."""

    code = "comparison_failed"
    retry = False

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class UnreadableFile(EngineError):
    """The file is corrupt, truncated, or not what it claims to be (HTTP 422, no retry)."""

    code = "unreadable_file"


class TransientEngineError(EngineError):
    """Something outside the files went wrong; the job may be retried."""

    code = "engine_unavailable"
    retry = True


class Engine(Protocol):
    media_type: str
    runs_async: bool

    def probe(self, path: Path) -> MediaInfo: ...

    def compare(self, a: Path, b: Path, options: Options, progress: Progress) -> Result: ...
