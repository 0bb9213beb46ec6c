"""Keep freed memory for reuse instead of handing it back to the system at once (glibc).

numpy allocates a frame's maps and a history flush's stacks afresh every time: arrays of
100 kB to a few MB. glibc serves blocks that size with mmap, returns them on free and trims
the heap's free top, so every new array page-faults its memory back in. Under a virtual
machine a fault is dear: measured on the 2-core development VM, a 2-8-8-1 frame of the page's
view took 281 faults and 1.7 ms, and 0 faults and 0.6–1.1 ms with the thresholds below. The
memory kept is bounded: what the process had in use, plus at most TRIM_THRESHOLD free.
"""

import ctypes
import ctypes.util

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (malloc.h)
MMAP_THRESHOLD = 32 << 20  # blocks below this come from the heap (glibc's largest allowed)
TRIM_THRESHOLD = 64 << 20  # free memory the heap keeps before it returns any


def keep_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for this process; False where the C library
    has no such settings (macOS, Windows, musl: their allocators are left as they are)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
