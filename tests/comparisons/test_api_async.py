"""Video and audio run as Celery jobs in a real worker process, against PostgreSQL, Redis and the
S3 server: 202 at once, progress while it runs, the result when it is done — and a failed or
abandoned job always ends in a final state with its credit refunded."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from django.test import override_settings

from billing import selectors as billing
from comparisons import services
from comparisons.models import Comparison
from tests.engines import media_audio, media_videos

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="session")
def videos(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("videos")
    board = media_videos.default_board(seconds=8.0)
    longer = media_videos.default_board(seconds=62.0)
    return {
        "original": media_videos.write_video(folder / "a.mp4", board),
        "reencoded": media_videos.write_video(
            folder / "b.mkv", board, width=256, height=192, fps=25, codec="mpeg4"
        ),
        "too_long": media_videos.write_video(
            folder / "long.mp4", longer, width=64, height=48, fps=5
        ),
        "slow": media_videos.write_video(
            folder / "slow.mp4", media_videos.default_board(seconds=40.0), width=640, height=480
        ),
    }


@pytest.fixture(scope="session")
def recordings(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("recordings")
    speech = media_audio.speak(media_audio.license_words("GPL-3", count=40))
    other = media_audio.speak(media_audio.license_words("Apache-2.0", count=40))
    return {
        "wav": media_audio.encode(speech, folder / "speech.wav"),
        "mp3": media_audio.encode(speech, folder / "speech.mp3", out_rate=44100, channels=2),
        "other": media_audio.encode(other, folder / "other.flac"),
    }


def poll_until_final(persona, status_url: str, timeout: float = 120.0) -> tuple[dict, list[int]]:
    """Poll like a client would; return the final answer and every progress value seen."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = persona.client.get(status_url).json()
        if body["status"] in ("done", "error"):
            return body, seen
        assert body["status"] in ("queued", "processing")
        seen.append(body["progress"])
        time.sleep(0.1)
    raise AssertionError(f"the job did not finish in {timeout} s: last answer {body}")


def test_it_runs_a_video_job_in_a_real_worker(celery_worker, alice, videos):
    accepted = alice.compare(videos["original"], videos["reencoded"])
    assert accepted.status_code == 202, accepted.content
    body = accepted.json()
    assert (
        body["status"] == "processing" and body["status_url"] == f"/api/v1/compare/{body['job_id']}"
    )
    result, progress = poll_until_final(alice, body["status_url"])
    assert result["status"] == "done", result
    assert result["type"] == "video" and result["similarity"] >= 85
    assert result["matched_segments"] and "timeline" in result["metrics"]
    assert progress == sorted(progress), "progress only rises"
    assert alice.client.get(result["diff_url"]).content[:4] == b"\x89PNG"
    assert result["credits_remaining"] == 9
    stored = Comparison.objects.get(id=body["job_id"])
    assert stored.attempts == 1 and stored.file_a.startswith(f"comparisons/{stored.id}/")


def test_the_poll_shows_progress_rising_while_a_video_job_runs(celery_worker, alice, videos):
    accepted = alice.compare(videos["slow"], videos["slow"])
    result, seen = poll_until_final(alice, accepted.json()["status_url"])
    assert result["status"] == "done" and result["similarity"] == 100
    midway = [p for p in seen if 0 < p < 100]
    assert midway, f"the poll never saw the job part-way: {seen}"
    assert seen == sorted(seen), "progress never goes back"


def test_it_runs_an_audio_job_in_a_real_worker(celery_worker, alice, recordings):
    accepted = alice.compare(recordings["wav"], recordings["mp3"])
    assert accepted.status_code == 202, accepted.content
    result, _ = poll_until_final(alice, accepted.json()["status_url"])
    assert result["status"] == "done", result
    assert result["type"] == "audio" and result["similarity"] >= 85
    different = alice.compare(recordings["wav"], recordings["other"])
    result, _ = poll_until_final(alice, different.json()["status_url"])
    assert result["similarity"] <= 40


def test_it_answers_400_at_submit_for_media_over_60_seconds(alice, videos, recordings, tmp_path):
    response = alice.compare(videos["too_long"], videos["original"])
    assert response.status_code == 400 and response.json()["error"] == "too_long"
    assert "file1 is 62" in response.json()["detail"]
    speech = media_audio.speak(media_audio.license_words("GPL-3", count=40))
    long_speech = media_audio.fit(np.tile(speech, 20), seconds=62.0)
    long_recording = media_audio.encode(long_speech, tmp_path / "long.mp3")
    response = alice.compare(recordings["wav"], long_recording)
    assert response.status_code == 400 and response.json()["error"] == "too_long"
    assert "file2 is 62" in response.json()["detail"]
    assert billing.credits_remaining(user=alice.user) == 10


def test_it_fails_a_truncated_video_in_the_job_and_refunds_the_credit(
    celery_worker, alice, videos, tmp_path
):
    """An interrupted download: its header (and so the submit-time probe) looks fine, the job
    finds that the frames stop early."""
    whole = media_videos.write_video(tmp_path / "whole.mkv", media_videos.default_board(8.0))
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: int(whole.stat().st_size * 0.4)])
    accepted = alice.compare(videos["original"], cut)
    assert accepted.status_code == 202, accepted.content
    result, _ = poll_until_final(alice, accepted.json()["status_url"])
    assert result["status"] == "error" and result["error"] == "unreadable_file"
    assert "truncated" in result["detail"]
    assert result["credits_remaining"] == 10


def test_it_answers_422_at_submit_for_media_it_cannot_probe(alice, recordings, tmp_path):
    cut = media_audio.truncated(recordings["mp3"], tmp_path / "cut.mp3")
    response = alice.compare(cut, recordings["wav"])
    assert response.status_code == 422 and response.json()["error"] == "unreadable_file"
    assert response.json()["detail"].startswith("file1 could not be read")
    assert billing.credits_remaining(user=alice.user) == 10


def _own_worker(worker_env: dict[str, str], queue: str, log: Path) -> subprocess.Popen[bytes]:
    """A worker of this test's own, on a queue of its own (the session's worker never takes its
    job) and in its own process group, so the test can kill all of it."""
    command = [
        sys.executable, "-m", "celery", "-A", "diffall", "worker",
        "--queues", queue, "--concurrency", "1", "--loglevel", "INFO",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--hostname", f"doomed-{os.getpid()}@localhost",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(command, env=worker_env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip


def _wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_job_whose_worker_is_killed_ends_in_error_with_the_credit_refunded(
    worker_env, alice, videos, tmp_path
):
    queue = f"doomed-{os.getpid()}"
    worker = _own_worker(worker_env, queue, tmp_path / "doomed.log")
    try:
        with override_settings(CELERY_MEDIA_QUEUE=queue):
            accepted = alice.compare(videos["slow"], videos["slow"])
        job_id = accepted.json()["job_id"]
        processing = Comparison.objects.filter(id=job_id, status="processing", progress__gt=0)
        _wait_for(processing.exists, 90, "the doomed worker to start the job")
        os.killpg(worker.pid, signal.SIGKILL)  # the whole worker, mid-job: nothing acks it
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    job = Comparison.objects.get(id=job_id)
    assert job.status == "processing" and billing.credits_remaining(user=alice.user) == 9
    with override_settings(JOB_MAX_ATTEMPTS=1):
        counts = services.comparisons_sweep_stale(now=job.started_at + timedelta(hours=1))
    assert counts == {"enqueued": 0, "requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == "error" and job.error_code == "too_many_attempts"
    assert billing.credits_remaining(user=alice.user) == 10


def test_the_sweep_requeues_an_abandoned_job_that_has_attempts_left(celery_worker, alice, videos):
    """A job stuck in `processing` (its worker died) goes back to the queue and a live worker
    finishes it."""
    accepted = alice.compare(videos["original"], videos["reencoded"])
    job_id = accepted.json()["job_id"]
    result, _ = poll_until_final(alice, accepted.json()["status_url"])
    assert result["status"] == "done"
    # Make it look abandoned mid-way, as a killed worker leaves it, then sweep.
    Comparison.objects.filter(id=job_id).update(status="processing", progress=40, similarity=None)
    job = Comparison.objects.get(id=job_id)
    counts = services.comparisons_sweep_stale(now=job.started_at + timedelta(hours=1))
    assert counts == {"enqueued": 0, "requeued": 1, "failed": 0}
    result, _ = poll_until_final(alice, accepted.json()["status_url"])
    assert result["status"] == "done" and Comparison.objects.get(id=job_id).attempts == 2
