import os

from comparisons.engines.threads import BLAS_THREADS

# before anything loads numpy: one BLAS thread per process (comparisons/engines/threads.py)
for _name, _value in BLAS_THREADS.items():
    os.environ.setdefault(_name, _value)

from diffall.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
