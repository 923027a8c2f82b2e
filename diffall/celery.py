"""The Celery app. Tasks are thin (take an id, call a service); state lives in the database,
so results are ignored and there is no result backend to run."""

import os

from celery import Celery
from celery.signals import worker_process_init

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
    beat_schedule={
        "sweep-stale-jobs": {
            "task": "comparisons.tasks.sweep_stale_jobs",
            "schedule": float(settings.JOB_SWEEP_INTERVAL_S),
        },
        "purge-old-uploads": {"task": "comparisons.tasks.purge_old_uploads", "schedule": 3600.0},
    },
)
app.autodiscover_tasks()


@worker_process_init.connect  # type: ignore[untyped-decorator]
def _warm_engines(**_: object) -> None:
    """Pay for heavy imports (cv2, av, librosa + numba) once per worker process, not per job."""
    from comparisons.engines import warm_up

    warm_up()
