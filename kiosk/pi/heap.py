"""Hand the C heap's free pages back to the system now and then (glibc's malloc_trim).

Text surfaces of 0.1-0.8 MB are rendered and freed as cues and screens change. Freed between
small long-lived objects, their holes stay in the heap, resident: memory crept up for as long
as the kiosk ran (soak: heap in use flat, free heap and RSS rising 0.26 MB/min). Trimming once
a minute hands those pages back. (Mapping every block of 128 KB or more on its own,
M_MMAP_THRESHOLD, also stopped the creep, but then every camera frame and padded crop faulted
in fresh pages: a 640x480 frame copy went from 0.02 to 0.5-0.7 ms, 1.4-1.8 ms at 720p, on the
inference thread, every frame.)
"""

from __future__ import annotations

from typing import Callable

TRIM_EVERY_S = 60.0  # of the kiosk's clock


def trimmer() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None where the C library is not glibc (nothing to trim)."""
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
