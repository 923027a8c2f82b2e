"""A signed-in user's site as the page tests see it: one finished comparison of every kind that
exists today (image in both modes, text, JSON, CSV, subtitles, audio, video, one that failed), made
from real media through the same `comparison_submit` service the website calls; the video and
audio jobs are run by a real Celery worker. Two of the files carry hostile names and contents."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from comparisons import services
from comparisons.models import Comparison
from comparisons.services import InputFile
from tests.engines import media_audio, media_texts, media_videos

HOSTILE_NAME = "<img src=x onerror=alert(1)>.png"
HOSTILE_LINE = "<script>alert(2)</script>"
JSON_SCHEMA = (
    Path(__import__("jsonschema_specifications").__file__).parent
    / "schemas"
    / "draft7"
    / "metaschema.json"
)


def _input(path: Path, name: str | None = None) -> InputFile:
    return InputFile(path=path, name=name or path.name, size=path.stat().st_size)


def _submit(user: Any, a: Path, b: Path, name_a: str | None = None, **options: Any) -> Comparison:
    return services.comparison_submit(
        user=user, file_a=_input(a, name_a), file_b=_input(b), source=Comparison.Source.WEB,
        **options,
    )  # fmt: skip


def _texts(folder: Path) -> dict[str, tuple[Path, Path]]:
    licence = media_texts.licence("Apache-2.0")
    schema = json.loads(JSON_SCHEMA.read_text())
    changed = {**schema, "title": "Edited schema", "default": {}}
    changed["properties"] = {**schema["properties"], "maxItems": {"type": "integer"}}
    rows = ["city,country,population", "Lisbon,Portugal,545923", "Porto,Portugal,231800",
            "Braga,Portugal,193333"]  # fmt: skip
    sentences = media_texts.sentences(media_texts.licence("GPL-3"))[:24]
    cues = media_texts.cues_from(sentences)
    pairs = {
        "text": (licence, licence.replace("Licensor", "Grantor", 3) + f"\n{HOSTILE_LINE}\n"),
        "json": (json.dumps(schema, indent=2), json.dumps(changed, indent=2)),
        "csv": ("\n".join(rows), "\n".join([*rows[:2], "Porto,Portugal,232125", rows[3]])),
        "subtitle": (media_texts.srt(cues), media_texts.srt(media_texts.shifted(cues, 800))),
    }
    suffix = {"text": "txt", "json": "json", "csv": "csv", "subtitle": "srt"}
    return {
        kind: (
            media_texts.write(folder / f"{kind}-before.{suffix[kind]}", first),
            media_texts.write(folder / f"{kind}-after.{suffix[kind]}", second),
        )
        for kind, (first, second) in pairs.items()
    }


def _truncated_video(folder: Path) -> tuple[Path, Path]:
    """An interrupted download: its header (and so the submit-time probe) looks fine; the job
    finds that the frames stop early and fails, refunding the credit."""
    whole = media_videos.write_video(folder / "whole.mkv", media_videos.default_board(6.0))
    cut = folder / "download.mkv"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.4)])
    return whole, cut


def _media(folder: Path) -> dict[str, tuple[Path, Path]]:
    speech = media_audio.fit(media_audio.speak(media_audio.license_words("Apache-2.0")), 8.0)
    board = media_videos.default_board(seconds=6.0)
    return {
        "audio": (
            media_audio.encode(speech, folder / "speech.wav"),
            media_audio.encode(media_audio.with_noise(speech, 25.0), folder / "speech-copy.mp3"),
        ),
        "video": (
            media_videos.write_video(folder / "clip.mp4", board),
            media_videos.write_video(folder / "clip-edit.mp4", board.replaced(2.0, 4.0, "moon")),
        ),
    }


def build(user: Any, images: dict[str, Path], folder: Path) -> dict[str, Comparison]:
    """Every kind of result page, keyed by a name for the tests and the screenshots."""
    jobs: dict[str, Comparison] = {
        "image": _submit(user, images["astronaut"], images["astronaut_edited"], HOSTILE_NAME),
        "image-feature": _submit(
            user, images["astronaut"], images["astronaut_jpeg"], mode="feature"
        ),
    }
    media = {**_media(folder), "failed": _truncated_video(folder)}
    for kind, (a, b) in {**_texts(folder), **media}.items():
        jobs[kind] = _submit(user, a, b)
    _wait_until_final([jobs[kind].id for kind in media])
    return {name: Comparison.objects.get(id=job.id) for name, job in jobs.items()}


def _wait_until_final(ids: list[uuid.UUID], timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Comparison.objects.filter(id__in=ids).exclude(status__in=["done", "error"]):
            return
        time.sleep(0.5)
    raise AssertionError("the worker did not finish the audio and video jobs in time")
