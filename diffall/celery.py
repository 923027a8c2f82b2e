"""The Celery app. Tasks are thin (take an id, call a service); state lives in the database,
so results are ignored and there is no result backend to run."""

import logging
import os
import resource
import time

from celery import Celery
from celery.signals import task_postrun, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diffall.settings")

from django.conf import settings

app = Celery("diffall")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,  # a job whose worker dies is redelivered, not lost...
    task_reject_on_worker_lost=True,  # ...and the attempt counter on the job stops the loop.
    worker_prefetch_multiplier=1,
    task_default_queue=settings.CELERY_DEFAULT_QUEUE,
    broker_connection_retry_on_startup=True,
    # A new child warms the engines up before it reports ready (2 s here, 10-20 s on a fresh venv
    # or a busy host). Celery's default of 4 s killed such children in a loop: every child
    # replaced after a job (CELERY_WORKER_MAX_MEMORY_PER_CHILD) or a crash was SIGKILLed again.
    worker_proc_alive_timeout=120.0,
    beat_schedule={
        "sweep-stale-jobs": {
            "task": "comparisons.tasks.sweep_stale_jobs",
            "schedule": float(settings.JOB_SWEEP_INTERVAL_S),
        },
        "purge-old-uploads": {"task": "comparisons.tasks.purge_old_uploads", "schedule": 3600.0},
    },
)
app.autodiscover_tasks()
log = logging.getLogger(__name__)


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _warm_engines(**_: object) -> None:
    """Pay for heavy imports (cv2, av, librosa + numba) once per worker process, not per job.
    The process takes its first job after this: the log says how long that took (numba's
    compiling, when its cache is cold, is most of it)."""
    from comparisons.engines import warm_up

    started = time.perf_counter()
    warm_up()
    log.info(
        "engines warmed in %.1f s; this worker process takes jobs now",
        time.perf_counter() - started,
    )


@task_postrun.connect  # type: ignore[untyped-decorator]
def _log_peak_memory(task_id: str, task: object, **_: object) -> None:
    """The worker process's peak memory so far (ru_maxrss, i.e. VmHWM): what
    WORKER_MAX_MEMORY_MB is compared with after the job, and what a job cost at most."""
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    log.info(
        "%s[%s] done; worker process peak %d KiB", getattr(task, "name", task), task_id, peak_kib
    )
