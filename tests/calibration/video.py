"""Video calibration pairs: clips made from scikit-image's photographs (pans, zooms, cuts between
shots), file1 H.264 in MP4; file2 the same clip re-encoded, resized, re-timed or trimmed - or other
pictures, wholly or in part."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.calibration import Kind, Pair
from tests.engines import media_videos as media

SECONDS = 8.0
SOURCES = {
    "astronaut, coffee, cat, rocket": media.PHOTOS[:4],
    "hubble, retina, cells, camera": media.PHOTOS[4:8],
}

Boards = tuple[media.Storyboard, media.Storyboard]  # (the clip's, other pictures')
Make = Callable[[Boards, Path], Path]


def _boards(name: str) -> Boards:
    other = next(photos for key, photos in SOURCES.items() if key != name)
    return media.default_board(SECONDS, SOURCES[name]), media.default_board(SECONDS, other)


def _pairs(make_b: Make) -> Callable[[Path], list[Pair]]:
    def make(folder: Path) -> list[Pair]:
        pairs = []
        for n, name in enumerate(SOURCES):
            here = folder / str(n)
            here.mkdir(parents=True, exist_ok=True)
            boards = _boards(name)
            a = here / "a.mp4"
            if not a.exists():
                media.write_video(a, boards[0])
            pairs.append(Pair(name, a, make_b(boards, here)))
        return pairs

    return make


def written(
    name: str, board: Callable[[Boards], media.Storyboard] = lambda b: b[0], **options: Any
) -> Make:
    def make(boards: Boards, folder: Path) -> Path:
        path = folder / name
        if not path.exists():
            media.write_video(path, board(boards), **options)
        return path

    return make


def _kind(name: str, same: bool, make_b: Make) -> Kind:
    return Kind("video", name, same, _pairs(make_b))


KINDS = [
    _kind("HEVC in MKV", True, written("b.mkv", codec="libx265")),
    _kind("VP9 in MKV", True, written("b.mkv", codec="libvpx-vp9")),
    _kind(
        "MPEG-4 Part 2 in AVI, 400 kbit/s", True, written("b.avi", codec="mpeg4", bit_rate=400_000)
    ),
    _kind("H.264 at CRF 35", True, written("b.mp4", options={"crf": "35"})),
    _kind("resized to 640x480 (MOV)", True, written("b.mov", width=640, height=480)),
    _kind("24 fps", True, written("b.mp4", fps=24)),
    _kind("first 2 s trimmed", True, written("b.mp4", start=2.0)),
    _kind(
        "3 s of other pictures in front",
        True,
        written("b.mp4", lambda b: b[1].cut(0.0, 3.0).then(b[0])),
    ),
    _kind("other pictures", False, written("b.mp4", lambda b: b[1])),
    _kind(
        "seconds 3-5 replaced", False, written("b.mp4", lambda b: b[0].replaced(3.0, 5.0, "moon"))
    ),
    _kind(
        "second half other pictures",
        False,
        written("b.mp4", lambda b: b[0].cut(0.0, 4.0).then(b[1].cut(4.0, 8.0))),
    ),
]
