"""Engines run one comparison per process thread: the numeric libraries must not start thread
pools of their own. OpenBLAS (numpy's and scipy's) keeps its threads spinning while they wait for
work, and the audio engine's small matrix products (40 mel bands, a 940 x 940 similarity) gain
nothing from them: on this 2-core machine, shared with other workers, the audio features cost
125 ms of CPU with OpenBLAS's threads and 39 ms without, the alignment 55 ms and 19 ms.

Web and worker processes get OPENBLAS_NUM_THREADS=1 before numpy loads (diffall/__init__.py);
`single_threaded_blas` applies the same limit in a process that loaded numpy first (a benchmark,
a test run)."""

from __future__ import annotations

from functools import cache

BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@cache
def single_threaded_blas() -> None:
    """Limit every BLAS library loaded so far to one thread (once per process)."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def single_threaded_opencv() -> None:
    """One OpenCV thread per web worker process. OpenCV splits each call over a pool of its own
    (one thread per core), whose threads spin while they wait for the next call: the image
    engine's few dozen calls of under a millisecond each gained no wall time from it on 2 cores
    and cost ~5 ms of CPU a 1080p comparison (the workers, several per core, are the
    parallelism). Decoding is unaffected: the engine decodes its two files on threads of its
    own."""
    import cv2

    cv2.setNumThreads(1)
