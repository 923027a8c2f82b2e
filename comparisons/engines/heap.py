"""How glibc's allocator keeps memory between comparisons: each engine sets what its arrays need
when it starts (`for_frames` for video, `for_arrays` for images and audio), since one worker
process runs video and audio jobs in turn.

glibc serves blocks above its mmap threshold with mmap and unmaps them when freed; smaller ones
come from its heaps, whose free top it hands back once more than the trim threshold lies free.
Left alone, it raises both by itself (the mmap threshold up to 32 MB) whenever a large mapped
block is freed.

- Video frames (2-50 MB a plane) then came from the heaps, where freed ones stayed resident and
  fragmented: after a large job a worker child kept hundreds of MB, and two 4K files decoded one
  after the other peaked 10-60% above one file alone. `for_frames` fixes the mmap threshold at
  1 MB, so every frame-sized block is mapped and goes back to the system when the decoder lets go
  of it (two files: 9% above one, every time), and keeps up to 32 MB free at a heap's top: with
  the trim threshold at its 128 KB default, the engine's ~1 MB scoring arrays shrank and regrew
  the heap every chunk, 100,000 page faults more per 1080p minute (~0.1 s of CPU in 6.8).
- Images and audio allocate and free a few dozen arrays of 1-8 MB a comparison. Mapped afresh
  each time, their pages were faulted in again by every comparison: 3,000-5,000 faults and
  9-14 ms of system CPU of a 1080p image pair's ~115 ms, 5,700 faults and 10-18 ms of a minute of
  audio's ~175. `for_arrays` serves blocks up to 32 MB from the heap and keeps up to 64 MB free
  there, so the next comparison reuses them; an array of 32 MB or more (a plane of a photo above
  ~11 MP) is still mapped and given back at once.

Elsewhere than glibc (musl, macOS) nothing changes and both return False.
"""

from __future__ import annotations

import ctypes
from functools import cache
from typing import Any

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt(3) parameter numbers (malloc.h)
FRAMES = ((M_MMAP_THRESHOLD, 1 << 20), (M_TRIM_THRESHOLD, 32 << 20))
ARRAYS = ((M_MMAP_THRESHOLD, 32 << 20), (M_TRIM_THRESHOLD, 64 << 20))


def for_frames() -> bool:
    """Frame-sized blocks mapped and handed back when freed; working memory kept."""
    return _set(FRAMES)


def for_arrays() -> bool:
    """Blocks under 32 MB kept for the next comparison, up to 64 MB of them."""
    return _set(ARRAYS)


def _set(settings: tuple[tuple[int, int], ...]) -> bool:
    mallopt = _mallopt()
    return mallopt is not None and all(mallopt(name, value) for name, value in settings)


@cache
def _mallopt() -> Any:
    return getattr(ctypes.CDLL(None), "mallopt", None)
