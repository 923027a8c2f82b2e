"""A job outlives the worker that ran it: another node takes it over within the heartbeat's
grace, it is charged once, and it never runs twice at the same time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from billing.models import Kind, LedgerEntry
from comparisons import jobs, services
from comparisons.models import Comparison
from tests.conftest import ARTIFACTS, RUN_ID, _wait_for_ping
from tests.engines import media_videos


def _job(user, **fields) -> Comparison:  # type: ignore[no-untyped-def]
    return Comparison.objects.create(user=user, media_type="video", threshold=85, mode="", **fields)


def test_a_redelivered_message_does_not_start_a_second_run_while_the_first_beats(alice):
    lease = uuid.uuid4()
    job = _job(alice.user, status="processing", attempts=1, lease=lease,
               heartbeat_at=timezone.now())  # fmt: skip
    services.comparison_run(comparison_id=job.id)  # the same message, delivered again
    job.refresh_from_db()
    assert (job.status, job.attempts, job.lease) == ("processing", 1, lease)


def test_an_attempt_that_lost_its_lease_cannot_fail_the_job(alice):
    job = _job(alice.user, status="processing", attempts=2, lease=uuid.uuid4(),
               heartbeat_at=timezone.now())  # fmt: skip
    services.comparison_fail(
        comparison_id=job.id, code="comparison_failed", detail="late", lease=uuid.uuid4()
    )
    job.refresh_from_db()
    assert job.status == "processing"


def test_the_sweep_requeues_a_job_whose_heartbeat_went_quiet(alice):
    stale = timezone.now() - timezone.timedelta(minutes=5)
    job = _job(alice.user, status="processing", attempts=1, lease=uuid.uuid4(),
               heartbeat_at=stale, enqueued_at=stale)  # fmt: skip
    alive = _job(alice.user, status="processing", attempts=1, lease=uuid.uuid4(),
                 heartbeat_at=timezone.now(), enqueued_at=stale)  # fmt: skip
    with override_settings(CELERY_MEDIA_QUEUE=f"nobody-{RUN_ID}"):
        counts = services.comparisons_sweep_stale()
    assert counts["requeued"] == 1
    job.refresh_from_db()
    alive.refresh_from_db()
    assert (job.status, job.lease) == ("queued", None)
    assert alive.status == "processing"


@pytest.fixture(scope="module")
def slow_video(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("recovery")
    board = media_videos.default_board(seconds=40.0)
    return media_videos.write_video(folder / "slow.mp4", board, width=640, height=480)


def _node(env: dict[str, str], name: str, *args: str) -> subprocess.Popen[bytes]:
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / f"{name}.log").open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "diffall", *args],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


@pytest.fixture
def cluster(worker_env: dict[str, str]) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """Two worker nodes with their own hostnames (as two machines run them) sharing this test's
    queues, and a beat that sweeps every 2 s with a 5-second heartbeat grace."""
    tag = f"{RUN_ID}-{os.getpid()}"
    env = {
        **worker_env,
        "CELERY_DEFAULT_QUEUE": f"default-{tag}",
        "CELERY_MEDIA_QUEUE": f"media-{tag}",
        "JOB_HEARTBEAT_S": "1",
        "JOB_HEARTBEAT_STALE_S": "5",
        "JOB_SWEEP_INTERVAL_S": "2",
    }
    queues = f"default-{tag},media-{tag}"
    nodes = {
        name: _node(env, f"{name}-{tag}", "worker", "--queues", queues, "--concurrency", "1",
                    "--hostname", f"{name}-{tag}@localhost", "--without-gossip",
                    "--without-mingle", "--without-heartbeat", "--loglevel", "INFO")
        for name in ("node1", "node2")
    }  # fmt: skip
    schedule = ARTIFACTS / f"beat-{tag}.schedule"
    nodes["beat"] = _node(env, f"beat-{tag}", "beat", "--schedule", str(schedule))
    try:
        for name in ("node1", "node2"):
            _wait_for_ping(nodes[name], f"{name}-{tag}@localhost", timeout=90)
        with override_settings(CELERY_MEDIA_QUEUE=f"media-{tag}"):
            yield nodes
    finally:
        for process in nodes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(10)


def _wait_for(predicate, timeout: float, what: str) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if predicate():
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_killing_the_node_mid_job_loses_nothing_and_charges_once(cluster, alice, slow_video):
    accepted = alice.compare(slow_video, slow_video)
    assert accepted.status_code == 202, accepted.content
    job_id = accepted.json()["job_id"]
    running = Comparison.objects.filter(id=job_id, status="processing", progress__gt=0)
    _wait_for(running.exists, 120, "a node to start the job")
    first = running.get()
    victim = "node1" if first.worker.startswith("node1") else "node2"
    os.killpg(cluster[victim].pid, signal.SIGKILL)  # the whole node: parent and children
    cluster[victim].wait(10)
    done = Comparison.objects.filter(id=job_id, status="done")
    took = _wait_for(done.exists, 120, "the other node to finish the job")
    job = done.get()
    assert job.attempts == 2 and not job.worker.startswith(victim), (job.attempts, job.worker)
    assert took < 120
    entries = LedgerEntry.objects.filter(comparison_id=job_id)
    kinds = sorted(e.kind for e in entries)
    assert kinds.count(Kind.SPEND) == 1 and Kind.REFUND not in kinds, kinds


@pytest.mark.django_db(transaction=True)  # the beating thread reads committed rows only
def test_a_running_job_is_beaten_until_it_ends_and_a_lost_lease_is_not(alice, caplog):
    long_ago = timezone.now() - timezone.timedelta(minutes=5)
    lease = uuid.uuid4()
    running = _job(alice.user, status="processing", attempts=1, lease=lease, heartbeat_at=long_ago)
    taken = _job(alice.user, status="processing", attempts=2, lease=uuid.uuid4(),
                 heartbeat_at=long_ago)  # fmt: skip
    with override_settings(JOB_HEARTBEAT_S=0.05):
        with jobs.heartbeat(running.id, lease), jobs.heartbeat(taken.id, uuid.uuid4()):
            deadline = time.monotonic() + 10
            while Comparison.objects.get(id=running.id).heartbeat_at == long_ago:
                assert time.monotonic() < deadline, "the running job was never beaten"
                time.sleep(0.05)
        time.sleep(0.1)  # a beat already under way when the job ended may still land
        ended = Comparison.objects.get(id=running.id).heartbeat_at
        time.sleep(0.2)
    assert Comparison.objects.get(id=running.id).heartbeat_at == ended  # no beat once it ended
    assert Comparison.objects.get(id=taken.id).heartbeat_at == long_ago
    assert f"job {taken.id}: lease lost" in caplog.text
