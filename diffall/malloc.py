"""The C allocator's settings, one per kind of process.

glibc serves blocks below its mmap threshold from its heaps, and raises that threshold by itself
(up to 32 MB) each time a larger mapped block is freed.

- Worker processes (video, audio): video frames (2-50 MB a plane) then come from the heaps, where
  freed ones stay resident and fragment: after a large job a worker child kept hundreds of MB, and
  two 4K files decoded one after the other peaked 10-60% above one file alone. With the threshold
  fixed at 1 MB, every frame-sized block is mapped and unmapped, so the memory goes back to the
  system when the decoder lets go of it (two files: 9% above one, every time). Smaller blocks,
  most of numpy's, are unaffected.
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
WEB_MMAP_THRESHOLD_BYTES = 32 << 20
WEB_TRIM_THRESHOLD_BYTES = 64 << 20


def return_large_blocks_to_the_os() -> bool:
    """Fix glibc's mmap threshold at 1 MB; False where the C library is not glibc."""
    return _mallopt((M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


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
