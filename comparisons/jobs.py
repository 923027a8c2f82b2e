"""The life of an async job (video, audio) outside the engine: getting it to a worker, knowing
that the worker is alive, and recovering it when it is not.

- Outbox: a job is committed as `queued` first and its message sent after the commit. When the
  broker cannot take it, the job stays in the outbox (`enqueued_at` null) and the sweep sends it
  once the broker is back: a 202 always runs, and its inputs are kept until it does.
- Lease and heartbeat: each attempt takes a new `lease` and its worker beats `heartbeat_at` every
  JOB_HEARTBEAT_S while it runs. Only the holder of the current lease may record a result, and a
  redelivered message for a job whose heartbeat is fresh does not start a second run.
- Sweep (beat, every JOB_SWEEP_INTERVAL_S): sends the outbox, requeues jobs whose heartbeat went
  quiet for JOB_HEARTBEAT_STALE_S (their worker died: killed children or the whole node), and
  fails — with a refund — jobs out of attempts."""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

from comparisons.models import Comparison

log = logging.getLogger(__name__)

OUTBOX_GRACE = timedelta(seconds=2)  # let on_commit send it first


def enqueue(comparison_id: uuid.UUID) -> bool:
    """Send the job's message; False (and the job stays in the outbox) when the broker is down."""
    from comparisons.tasks import run_media_comparison

    try:
        # Video and audio take seconds to minutes: their own queue keeps quick jobs moving.
        run_media_comparison.apply_async(
            args=[str(comparison_id)],
            queue=settings.CELERY_MEDIA_QUEUE,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
        )
    except Exception:
        log.warning("broker unavailable: job %s waits in the outbox", comparison_id, exc_info=True)
        return False
    Comparison.objects.filter(id=comparison_id).update(enqueued_at=timezone.now())
    return True


def is_alive(comparison: Comparison, now: datetime | None = None) -> bool:
    """Is a worker running this job right now (its heartbeat is fresh)?"""
    if comparison.status != Comparison.Status.PROCESSING or comparison.heartbeat_at is None:
        return False
    stale_before = (now or timezone.now()) - timedelta(seconds=settings.JOB_HEARTBEAT_STALE_S)
    return comparison.heartbeat_at >= stale_before


LEASE_FIELDS = ["lease", "heartbeat_at", "worker", "attempts", "status", "started_at", "progress"]


def lease_take(comparison: Comparison) -> None:
    """Start an attempt on a row locked by the caller: a new lease, a first heartbeat."""
    lease_start(comparison)
    comparison.save(update_fields=LEASE_FIELDS)


def lease_start(comparison: Comparison) -> None:
    """The fields of a new attempt, set on the object only: `lease_take` saves them on a locked
    row; a comparison answered at once is inserted with them (its first attempt starts as the
    row is created, with no second transaction to claim it)."""
    now = timezone.now()
    comparison.lease = uuid.uuid4()
    comparison.heartbeat_at = now
    comparison.worker = _worker_name()
    comparison.attempts += 1
    comparison.status = Comparison.Status.PROCESSING
    comparison.started_at = now
    comparison.progress = 0


def _worker_name() -> str:
    from celery import current_task

    request = getattr(current_task, "request", None)
    return str(getattr(request, "hostname", None) or socket.gethostname())[:255]


def beat(comparison_id: uuid.UUID, lease: uuid.UUID | None) -> bool:
    """One heartbeat; False when the lease was lost (the sweep gave the job to another attempt)."""
    return bool(
        Comparison.objects.filter(
            id=comparison_id, lease=lease, status=Comparison.Status.PROCESSING
        ).update(heartbeat_at=timezone.now())
    )


@contextmanager
def heartbeat(comparison_id: uuid.UUID, lease: uuid.UUID | None) -> Iterator[None]:
    """Beat the job every JOB_HEARTBEAT_S while the engine runs (engines release the GIL in
    numpy/av/cv2), first JOB_HEARTBEAT_S after it starts. One thread per process beats every job
    the process runs: a thread started and joined for each job had cost an image comparison up to
    4 ms of waiting for the GIL while its inputs were being stored."""
    with _beats:
        _start_beating()
        _beating[comparison_id] = _Beating(lease, time.monotonic() + settings.JOB_HEARTBEAT_S)
        _beats.notify()
    try:
        yield
    finally:
        with _beats:
            _beating.pop(comparison_id, None)


@dataclass
class _Beating:
    lease: uuid.UUID | None
    due: float  # time.monotonic() of its next beat


_beating: dict[uuid.UUID, _Beating] = {}  # the jobs this process runs now
_beats = threading.Condition()
_beating_pid: int | None = None


def _start_beating() -> None:
    """This process's beating thread, started on first use (a thread does not survive a fork)."""
    global _beating_pid
    if _beating_pid != os.getpid():
        _beating_pid = os.getpid()
        threading.Thread(target=_beat_forever, name="heartbeat", daemon=True).start()


def _beat_forever() -> None:
    while True:
        with _beats:
            due = _due()
            while not due:
                nearest = min((j.due for j in _beating.values() if j.due < math.inf), default=None)
                _beats.wait(None if nearest is None else nearest - time.monotonic())
                due = _due()
        for comparison_id, lease in due:
            if not beat(comparison_id, lease):
                log.warning("job %s: lease lost; its result will be discarded", comparison_id)
                with _beats:
                    job = _beating.get(comparison_id)
                    if job is not None and job.lease == lease:
                        job.due = math.inf  # beats no more, as its attempt is over
        connections.close_all()  # no connection held between beats, seconds apart


def _due() -> list[tuple[uuid.UUID, uuid.UUID | None]]:
    """The jobs whose beat is due, each given its next one (called with `_beats` held)."""
    now = time.monotonic()
    due = [(job_id, job.lease) for job_id, job in _beating.items() if job.due <= now]
    for job_id, _ in due:
        _beating[job_id].due = now + settings.JOB_HEARTBEAT_S
    return due


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Send the outbox, requeue jobs whose worker died, fail jobs out of attempts."""
    from comparisons import services

    now = now or timezone.now()
    counts = {"enqueued": 0, "requeued": 0, "failed": 0}
    outbox = Comparison.objects.filter(
        status=Comparison.Status.QUEUED, enqueued_at__isnull=True, created_at__lt=now - OUTBOX_GRACE
    ).values_list("id", flat=True)
    for comparison_id in outbox:
        counts["enqueued"] += enqueue(comparison_id)
    for comparison_id, attempts in _abandoned(now).values_list("id", "attempts"):
        if attempts >= settings.JOB_MAX_ATTEMPTS:
            services.comparison_fail(
                comparison_id=comparison_id, code="too_many_attempts",
                detail=f"The comparison was tried {attempts} times and never finished; "
                "your credit was refunded.",
            )  # fmt: skip
            counts["failed"] += 1
        elif _requeue(comparison_id, now):
            counts["requeued"] += 1
    return counts


def _abandoned(now: datetime) -> Any:
    """Processing with a quiet heartbeat (the worker died), or queued and sent long ago without
    being started (the message was lost)."""
    quiet = now - timedelta(seconds=settings.JOB_HEARTBEAT_STALE_S)
    lost = now - timedelta(seconds=settings.JOB_STALE_AFTER_S)
    dead = Comparison.objects.filter(status=Comparison.Status.PROCESSING).exclude(
        heartbeat_at__gte=quiet
    )
    never_started = Comparison.objects.filter(status=Comparison.Status.QUEUED, enqueued_at__lt=lost)
    return dead | never_started


def _requeue(comparison_id: uuid.UUID, now: datetime) -> bool:
    updated = Comparison.objects.filter(
        id=comparison_id, status__in=[Comparison.Status.QUEUED, Comparison.Status.PROCESSING]
    ).update(status=Comparison.Status.QUEUED, lease=None, enqueued_at=None, started_at=now)
    if updated:
        enqueue(comparison_id)
    return bool(updated)
