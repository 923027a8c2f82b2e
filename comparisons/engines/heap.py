"""Freed memory kept for the next comparison instead of handed back to the kernel.

glibc's malloc serves large blocks with mmap (above a threshold that starts at 128 KB) and gives
freed memory at the top of its heap back to the kernel, so every comparison touched its arrays'
pages afresh, and each first touch of a 4 KB page is a fault the kernel must serve with a zeroed
page. An audio comparison of two one-minute files took 5,700 such faults (23 MB), 10-18 ms of
system time in 175 ms of CPU; with the limits below, none after the first comparison. The price:
up to TRIM_BYTES of freed memory stays with the process between comparisons.

The limits are set with glibc's `mallopt` when the engine first runs (its MALLOC_*_ variables would
have to be in the environment before the process starts); elsewhere (musl, macOS) nothing changes.
"""

from __future__ import annotations

import ctypes
from functools import cache

M_TRIM_THRESHOLD = -1  # mallopt's parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
# Blocks up to 32 MB (glibc's largest allowed threshold) come from the heap: an audio
# comparison's largest array is ~8 MB a minute. Up to 64 MB free at the heap's top stays there.
MMAP_BYTES = 32 << 20
TRIM_BYTES = 64 << 20


@cache
def keep_freed_memory() -> bool:
    """Set the limits once per process; False where the C library has no `mallopt`."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_BYTES)
    )
