"""The change model through the API for the types that run as jobs (video, audio), in a real
Celery worker: every change of the finished answer matches the schema's Change union, each
answer agrees with itself, and a video missing its first second is not called Identical."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.comparisons.answers import IDENTICAL, assert_sound
from tests.comparisons.test_api_async import poll_until_final
from tests.engines import media_audio, media_videos

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("change-model-videos")
    board = media_videos.default_board(seconds=6.0)
    return {
        "original": media_videos.write_video(folder / "a.mp4", board, width=160, height=120),
        "first_second_cut": media_videos.write_video(
            folder / "cut.mp4", board, width=160, height=120, start=1.0
        ),
    }


@pytest.fixture(scope="session")
def speech(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("change-model-audio")
    said = media_audio.speak(media_audio.license_words("GPL-3", count=30))
    other = media_audio.speak(media_audio.license_words("Apache-2.0", count=30))
    return {
        "wav": media_audio.encode(said, folder / "speech.wav"),
        "mp3": media_audio.encode(said, folder / "speech.mp3", out_rate=44100, channels=2),
        "other": media_audio.encode(other, folder / "other.flac"),
    }


def finished(persona, a: Path, b: Path) -> dict:  # type: ignore[no-untyped-def]
    accepted = persona.compare(a, b)
    assert accepted.status_code == 202, accepted.content
    body, _ = poll_until_final(persona, accepted.json()["status_url"])
    assert body["status"] == "done", body
    assert_sound(body)
    return body


def test_it_says_a_video_missing_its_first_second_is_not_identical(celery_worker, alice, clips):
    body = finished(alice, clips["original"], clips["first_second_cut"])

    assert body["match"] is True  # the same video...
    assert body["identical"] is False and body["verdict"] != IDENTICAL  # ...a second shorter
    [missing] = body["changes"]
    assert (missing["kind"], missing["time"]["source_start"]) == ("removed", 0.0)
    assert missing["time"]["source_end"] == pytest.approx(1.0, abs=0.05)
    assert body["summary"] == "seconds 0\u20131 of file1 are not in file2"


def test_it_calls_a_video_identical_to_itself(celery_worker, alice, clips):
    body = finished(alice, clips["original"], clips["original"])

    assert (body["identical"], body["verdict"], body["changes"]) == (True, IDENTICAL, [])


def test_it_answers_audio_changes_in_the_schemas_shape(celery_worker, alice, speech):
    different = finished(alice, speech["wav"], speech["other"])
    re_encoded = finished(alice, speech["wav"], speech["mp3"])

    assert different["identical"] is False
    kinds = {change["kind"] for change in different["changes"]}
    assert "changed" in kinds and kinds <= {"changed", "removed", "added"}  # other words
    assert all("time" in change for change in different["changes"])
    assert re_encoded["match"] is True and re_encoded["identical"] is True  # codec noise only
