"""The C allocator's settings, one per kind of process.

glibc serves blocks below its mmap threshold from its heaps, and raises that threshold by itself
(up to 32 MB) each time a larger mapped block is freed.

- Worker processes (video, audio): video frames (2-50 MB a plane) then come from the heaps, where
  freed ones stay resident and fragment: after a large job a worker child kept hundreds of MB, and
  two 4K files decoded one after the other peaked 10-60% above one file alone. With the threshold
  fixed at 1 MB, every frame-sized block is mapped and unmapped, so the memory goes back to the
  system when the decoder lets go of it (two files: 9% above one, every time). Smaller blocks,
  most of numpy's, are unaffected.
  Fixing the mmap threshold also fixes the trim threshold (free memory at the top of a heap
  beyond which glibc hands it back) at its default, 128 KB, where glibc would have raised it to
  twice the mmap threshold. The video engine scores frames in chunks of ~1 MB arrays, each freed
  at the end of its chunk: the heap shrank and grew back for every chunk, 100,000 page faults more
  per 1080p minute (~0.1 s of CPU in 6.8). Up to 32 MB free at a heap's top now stays there; it
  holds no frame, since those are mapped.
- Web processes (image, text, subtitles, answered at once): an image comparison allocates and
  frees a few dozen picture-sized arrays (2-8 MB each at 1080p). The heap's top was given back
  to the system after each comparison (it is trimmed once twice the threshold lies free) and
  faulted in again by the next: 3,000-5,000 page faults, 9-14 ms of system CPU of a 1080p pair's
  ~115. With the threshold fixed at 32 MB and the heap trimmed only past 64 MB free, the same
  blocks are reused and nothing faults; an array of 32 MB or more (a plane of a photo above
  ~11 MP) is still mapped and given back at once, so a worker keeps at most ~64 MB more.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt(3) parameter numbers
MMAP_THRESHOLD_BYTES = 1 << 20
TRIM_THRESHOLD_BYTES = 32 << 20
WEB_MMAP_THRESHOLD_BYTES = 32 << 20
WEB_TRIM_THRESHOLD_BYTES = 64 << 20


def return_large_blocks_to_the_os() -> bool:
    """Fix glibc's mmap threshold at 1 MB (and its trim threshold at 32 MB); False where the C
    library is not glibc."""
    return _mallopt(
        (M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES), (M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )


def reuse_picture_sized_blocks() -> bool:
    """Keep freed blocks under 32 MB for reuse, up to 64 MB of them; False where the C library
    is not glibc."""
    return _mallopt(
        (M_MMAP_THRESHOLD, WEB_MMAP_THRESHOLD_BYTES), (M_TRIM_THRESHOLD, WEB_TRIM_THRESHOLD_BYTES)
    )


def _mallopt(*settings: tuple[int, int]) -> bool:
    name = ctypes.util.find_library("c")
    if not name:
        return False
    mallopt = getattr(ctypes.CDLL(name), "mallopt", None)
    if mallopt is None:
        return False
    return all(mallopt(parameter, value) for parameter, value in settings)
