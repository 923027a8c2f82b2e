import os
import tempfile

from comparisons.engines.threads import BLAS_THREADS

# before anything loads numpy: one BLAS thread per process (comparisons/engines/threads.py)
for _name, _value in BLAS_THREADS.items():
    os.environ.setdefault(_name, _value)

# librosa's numba kernels are compiled with cache=True, which writes beside librosa's own files
# by default; where the process may not write there (the Docker image runs as its own user over
# a venv owned by root), numba refused to load librosa at all and every audio job failed. The
# compiled kernels go to a folder the process owns instead.
os.environ.setdefault(
    "NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), f"diffall-numba-{os.getuid()}")
)

from diffall.celery import app as celery_app  # noqa: E402

__all__ = ["celery_app"]
