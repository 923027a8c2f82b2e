"""When one dependency is down, every endpoint answers a documented status — never a 500 — and
nothing is charged for what did not happen or left behind.

Each case runs the site as production does (gunicorn, DEBUG off) in its own process, with ONE
dependency pointed at a dead address (a port nobody listens on); the shared PostgreSQL, Redis
and S3 are never stopped. Afterwards the ledger still equals every balance, no file lies in the
bucket without its job, and a job accepted while the broker was down runs once it is back."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from django.core.management import call_command

from billing import selectors as billing
from comparisons import services
from comparisons.models import Comparison
from tests.conftest import ROOT
from tests.personas import make_persona

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again: nothing listens there


@contextmanager
def _site(env: dict[str, str]) -> Iterator[str]:
    port = _dead_port()
    command = [
        sys.executable, "-m", "gunicorn", "diffall.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", "1", "--timeout", "60", "--log-level", "warning",
    ]  # fmt: skip
    log = ROOT / "test-artifacts" / f"gunicorn-{port}.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # gunicorn listens once its worker can serve
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def production_env(worker_env: dict[str, str]) -> dict[str, str]:
    return {
        **worker_env,
        "DEBUG": "false",
        "SECRET_KEY": "outage-tests-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/1",
        "RATELIMIT_ENABLE": "false",
        "STATIC_MANIFEST": "false",  # production's manifest needs collectstatic, beside the point
    }


def _battery(base: str, key: str, files: dict[str, Path]) -> dict[str, requests.Response]:
    """Every endpoint once, as a client would call it."""
    headers = {"X-API-Key": key}

    def upload(a: Path, b: Path) -> requests.Response:
        with a.open("rb") as fa, b.open("rb") as fb:
            return requests.post(
                f"{base}/api/v1/compare", headers=headers,
                files={"file1": fa, "file2": fb}, timeout=60,
            )  # fmt: skip

    answers = {
        "compare image": upload(files["image_a"], files["image_b"]),
        "compare audio": upload(files["audio_a"], files["audio_b"]),
        "me": requests.get(f"{base}/api/v1/me", headers=headers, timeout=30),
        "schema": requests.get(f"{base}/api/schema/", timeout=30),
        "api docs": requests.get(f"{base}/api", timeout=30),
        "home": requests.get(f"{base}/", timeout=30),
        "sign in": requests.get(f"{base}/accounts/login/", timeout=30),
        "healthz": requests.get(f"{base}/healthz", timeout=60),
        "unknown job": requests.get(
            f"{base}/api/v1/compare/00000000-0000-0000-0000-000000000000",
            headers=headers,
            timeout=30,
        ),
    }
    done = answers["compare image"]
    if done.status_code == 200:
        job = done.json()
        poll = f"{base}/api/v1/compare/{job['job_id']}"
        answers["poll"] = requests.get(poll, headers=headers, timeout=30)
        answers["diff.png"] = requests.get(f"{poll}/diff.png", headers=headers, timeout=30)
    return answers


@pytest.fixture
def media(images: dict[str, Path], tmp_path: Path) -> dict[str, Path]:
    from tests.engines import media_audio

    speech = media_audio.encode(
        media_audio.speak("The quick brown fox jumps over the lazy dog."), tmp_path / "a.wav"
    )
    return {
        "image_a": images["astronaut"],
        "image_b": images["astronaut_edited"],
        "audio_a": speech,
        "audio_b": speech,
    }


def _no_500(answers: dict[str, requests.Response]) -> None:
    broken = {
        name: (r.status_code, r.text[:200])
        for name, r in answers.items()
        if r.status_code >= 500 and r.status_code != 503
    }
    assert not broken, broken


def _books_balance() -> None:
    call_command("credits_check")  # exits non-zero (SystemExit) when a wallet != its ledger


def _keys(s3_server) -> set[str]:  # type: ignore[no-untyped-def]
    listing = s3_server.client().list_objects_v2(Bucket=s3_server.bucket)
    return {item["Key"] for item in listing.get("Contents", [])}


@pytest.fixture
def files_before(s3_server) -> set[str]:  # type: ignore[no-untyped-def]
    """The bucket is the session's: earlier tests' files are not this test's business."""
    return _keys(s3_server)


def _no_orphaned_files(s3_server, before: set[str]) -> None:  # type: ignore[no-untyped-def]
    job_ids = {str(i) for i in Comparison.objects.values_list("id", flat=True)}
    orphans = [k for k in _keys(s3_server) - before if k.split("/")[1] not in job_ids]
    assert not orphans, orphans


def test_with_the_database_down_every_endpoint_answers_503_or_works(
    production_env, media, s3_server, files_before
):
    alice = make_persona("alice@example.com")
    env = {**production_env, "DATABASE_URL": f"postgres://postgres@127.0.0.1:{_dead_port()}/none"}
    with _site(env) as base:
        answers = _battery(base, alice.key, media)
    _no_500(answers)
    for name in ("compare image", "compare audio", "me", "unknown job"):
        assert answers[name].status_code == 503, (name, answers[name].text)
        assert answers[name].json()["error"] == "database_unavailable"
        assert answers[name].headers["Retry-After"]
    assert answers["healthz"].status_code == 503
    assert answers["healthz"].json()["checks"]["database"] == "down"
    assert answers["schema"].status_code == 200  # needs no database
    assert not Comparison.objects.exists()
    assert billing.credits_remaining(user=alice.user) == 10
    _books_balance()
    _no_orphaned_files(s3_server, files_before)


def test_with_the_cache_down_the_api_keeps_working(
    production_env, media, s3_server, files_before, celery_worker
):
    alice = make_persona("alice@example.com")
    env = {
        **production_env,
        "REDIS_URL": f"redis://127.0.0.1:{_dead_port()}/0",
        "RATELIMIT_ENABLE": "true",
    }
    with _site(env) as base:
        answers = _battery(base, alice.key, media)
    _no_500(answers)
    assert answers["compare image"].status_code == 200  # rate limits fail open
    assert answers["compare audio"].status_code == 202
    assert (
        answers["healthz"].status_code == 503
        and answers["healthz"].json()["checks"]["cache"] == "down"
    )
    _books_balance()
    _no_orphaned_files(s3_server, files_before)


def test_with_storage_down_compares_answer_503_and_charge_nothing(
    production_env, media, s3_server, files_before
):
    alice = make_persona("alice@example.com")
    env = {**production_env, "AWS_S3_ENDPOINT_URL": f"http://127.0.0.1:{_dead_port()}"}
    with _site(env) as base:
        answers = _battery(base, alice.key, media)
    _no_500(answers)
    for name in ("compare image", "compare audio"):
        assert answers[name].status_code == 503, (name, answers[name].text)
        assert answers[name].json()["error"] == "storage_unavailable"
        assert answers[name].headers["Retry-After"]
    assert answers["me"].status_code == 200
    assert billing.credits_remaining(user=alice.user) == 10
    # an image job is written while its inputs are stored (the engine runs meanwhile): it failed,
    # refunded; the audio job, queued only once its inputs are stored, was never written
    assert list(Comparison.objects.values_list("media_type", "status")) == [("image", "error")]
    _books_balance()


def test_with_the_broker_down_a_job_is_accepted_and_runs_once_it_is_back(
    production_env, media, s3_server, files_before, celery_worker
):
    alice = make_persona("alice@example.com")
    env = {**production_env, "CELERY_BROKER_URL": f"redis://127.0.0.1:{_dead_port()}/1"}
    with _site(env) as base:
        answers = _battery(base, alice.key, media)
    _no_500(answers)
    assert answers["compare image"].status_code == 200
    accepted = answers["compare audio"]
    assert accepted.status_code == 202, accepted.text
    job = Comparison.objects.get(id=accepted.json()["job_id"])
    assert job.status == "queued" and job.enqueued_at is None  # waiting in the outbox
    assert (
        answers["healthz"].status_code == 503
        and answers["healthz"].json()["checks"]["broker"] == "down"
    )
    # The broker is back (this process talks to the real one): the sweep sends the outbox.
    time.sleep(2.5)
    assert services.comparisons_sweep_stale()["enqueued"] == 1
    _wait_for(lambda: Comparison.objects.get(id=job.id).status == "done", 120, "the job to run")
    assert billing.credits_remaining(user=alice.user) == 8  # the image and the audio job
    _books_balance()
    _no_orphaned_files(s3_server, files_before)


def _wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
