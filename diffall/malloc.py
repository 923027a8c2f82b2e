"""The C allocator's settings for worker processes.

glibc serves blocks below its mmap threshold from its heaps, and raises that threshold by itself
(up to 32 MB) each time a larger mapped block is freed. Video frames (2-50 MB a plane) then come
from the heaps, where freed ones stay resident and fragment: after a large job a worker child kept
hundreds of MB, and two 4K files decoded one after the other peaked 10-60% above one file alone.
With the threshold fixed at 1 MB, every frame-sized block is mapped and unmapped, so the memory
goes back to the system when the decoder lets go of it (two files: 9% above one, every time).
Smaller blocks, most of numpy's, are unaffected.

Fixing the mmap threshold also fixes the trim threshold (free memory at the top of a heap beyond
which glibc hands it back) at its default, 128 KB, where glibc would have raised it to twice the
mmap threshold. The video engine scores frames in chunks of ~1 MB arrays, each freed at the end of
its chunk: the heap shrank and grew back for every chunk, 100,000 page faults more per 1080p
minute (~0.1 s of CPU in 6.8). TRIM_THRESHOLD_BYTES keeps such working memory between chunks; it
holds no frame, since those are mapped.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1  # mallopt(3) parameter numbers
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 1 << 20
TRIM_THRESHOLD_BYTES = 32 << 20


def return_large_blocks_to_the_os() -> bool:
    """Fix glibc's mmap threshold at 1 MB (and its trim threshold at 32 MB); False where the C
    library is not glibc."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None)
    return bool(
        mallopt
        and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
