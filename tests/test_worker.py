import re
import time

import pytest


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_it_starts_a_real_worker_that_answers_a_ping(celery_worker):
    from diffall.celery import app

    replies = app.control.ping(timeout=2.0)
    assert any(celery_worker.hostname in reply for reply in replies)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_each_worker_process_says_when_its_engines_are_warm_and_it_takes_jobs(celery_worker):
    """The main process answers pings at once; a job waits for a process's warm-up (numba's
    compiling, with a cold cache: ~20 s), so the log says when each process is ready, and how
    long it took."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        lines = re.findall(
            r"engines warmed in [\d.]+ s; this worker process takes jobs now",
            celery_worker.log_path.read_text(errors="replace"),
        )
        if len(lines) >= 2:  # --concurrency 2
            return
        time.sleep(0.2)
    pytest.fail(f"no warm-up line from both worker processes in {celery_worker.log_path}")
