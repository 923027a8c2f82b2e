"""The C allocator's settings for worker processes.

glibc serves blocks below its mmap threshold from its heaps, and raises that threshold by itself
(up to 32 MB) each time a larger mapped block is freed. Video frames (2-50 MB a plane) then come
from the heaps, where freed ones stay resident and fragment: after a large job a worker child kept
hundreds of MB, and two 4K files decoded one after the other peaked 10-60% above one file alone.
With the threshold fixed at 1 MB, every frame-sized block is mapped and unmapped, so the memory
goes back to the system when the decoder lets go of it (two files: 9% above one, every time).
Smaller blocks, most of numpy's, are unaffected.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3  # mallopt(3) parameter number
MMAP_THRESHOLD_BYTES = 1 << 20


def return_large_blocks_to_the_os() -> bool:
    """Fix glibc's mmap threshold at 1 MB; False where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None)
    return bool(mallopt and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
